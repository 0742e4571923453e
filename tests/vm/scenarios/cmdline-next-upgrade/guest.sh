#!/bin/bash
# A grub.cmdline.next config (kubeos.test=next for the other slot's kernel), then an upgrade:
# slot B boots with the argument, and slot A's entry never got it.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     wait_idle 120 || fail "kubeosd is not idle: $(kubeosctl status 2>&1)"
     cat > /tmp/next.yaml <<'YAML'
version: cmdline-1
configs:
  - model: grub.cmdline.next
    contents:
      - key: kubeos.test
        value: next
YAML
     kubeosctl config -f /tmp/next.yaml || fail "kubeosctl config failed"
     expect_status sysconfigs-version cmdline-1
     install_certs
     echo 1 > "$STATE/phase"; sync # kubeosd reboots the node itself
     expect_reboot upgrade_to v2.img "KubeOS 2.0.0" ;;
  1) expect_booted B "KubeOS 2.0.0"
     echo "/proc/cmdline: $(cat /proc/cmdline)"
     grep -qw kubeos.test=next /proc/cmdline || fail "B booted without kubeos.test=next"
     wait_idle 300 || fail "kubeosd did not finish the trial: $(kubeosctl status 2>&1)"
     expect_status default-slot B
     linux_line() { awk -v e="'$1'" '/^menuentry/ { m = ($2 == e) } m && $1 == "linux"' \
                      /boot/efi/EFI/openEuler/grub.cfg; }
     echo "grub.cfg: A: $(linux_line A)"; echo "grub.cfg: B: $(linux_line B)"
     [[ $(linux_line B) == *kubeos.test=next* ]] || fail "B's grub.cfg entry lacks kubeos.test=next"
     [[ $(linux_line A) != *kubeos.test* ]] || fail "A's grub.cfg entry got kubeos.test too"
     pass ;;
esac
fail "unexpected phase"
