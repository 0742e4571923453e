#!/bin/bash
# Upgrade v1 → v2 with `kubeosctl apply -f OS.yaml` (an OS resource, opstype upgrade) over HTTPS
# with a client certificate (mTLS): kubeosd writes v2 into slot B and reboots into a trial; on B
# its health check commits B, then applies the resource's sysconfigs (post-config). Status shows
# v2 on B, and the job is in kubeosd's journal and in /var/log/messages on both slots.
# Boot 1 also checks the fresh disk: slot A under OVMF + GRUB + systemd, ESP and PERSIST mounted,
# syslog reaching /var/log/messages, the host's HTTPS server reachable.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     expect_env saved_entry A
     [[ $(findmnt -no TARGET /dev/disk/by-partlabel/BOOT) == /boot/efi ]] || fail "ESP not mounted at /boot/efi"
     [[ $(findmnt -no TARGET /dev/disk/by-partlabel/PERSIST) == /persist ]] || fail "PERSIST not mounted"
     logger -t kubeos-test "upgrade-https: hello from the test agent"
     for _ in $(seq 50); do grep -q 'hello from the test agent' /var/log/messages 2>/dev/null && break; sleep 0.2; done
     grep -q 'hello from the test agent' /var/log/messages || fail "/var/log/messages does not get syslog"
     curl -sS --cacert ca.pem "$IMAGES_HTTPS/SHA256SUMS" -o /tmp/sums || fail "HTTPS to the host failed"
     cmp -s /tmp/sums SHA256SUMS || fail "HTTPS served a different SHA256SUMS"
     wait_idle 120 || fail "kubeosd is not idle: $(kubeosctl status 2>&1)"
     install_certs
     cat > /tmp/os.yaml <<YAML
apiVersion: upgrade.openeuler.org/v1alpha1
kind: OS
metadata:
  name: os-sample
spec:
  opstype: upgrade
  osversion: KubeOS 2.0.0
  imagetype: disk
  imageurl: $IMAGES_MTLS/v2.img
  checksum: $(image_sum v2.img)
  flagSafe: false
  mtls: true
  cacert: kubeos-test-ca.pem
  clientcert: kubeos-test-client.pem
  clientkey: kubeos-test-client.key
  maxunavailable: 1
  containerimage: ""
  sysconfigs:
    version: sys-v2
    configs:
      - model: kernel.sysctl
        contents:
          - key: net.ipv4.ip_forward
            value: "1"
      - model: kernel.sysctl.persist
        contents:
          - key: vm.swappiness
            value: "17"
YAML
     echo 1 > "$STATE/phase"; sync # kubeosd reboots the node itself
     expect_reboot kubeosctl apply -f /tmp/os.yaml ;;
  1) expect_booted B "KubeOS 2.0.0"
     wait_idle 300 || fail "kubeosd did not finish the trial: $(kubeosctl status 2>&1)"
     kubeosctl status
     expect_status booted-slot B
     expect_status booted-version "KubeOS 2.0.0"
     expect_status other-version "KubeOS 1.0.0"
     expect_status default-slot B
     expect_status next-boot-slot B
     expect_status pending-reboot false
     expect_status last-error ""
     expect_status sysconfigs-version sys-v2
     expect_env saved_entry B
     expect_env next_entry ""
     # post-config: applied on B after the commit
     [[ $(sysctl -n net.ipv4.ip_forward) == 1 ]] || fail "net.ipv4.ip_forward is not 1 on B"
     grep -Eq '^ *vm\.swappiness *= *17 *$' /etc/sysctl.conf ||
       fail "vm.swappiness=17 not persisted: $(grep swappiness /etc/sysctl.conf)"
     # logs: the confirmation on B, the download and trial arming on A (each slot has its own /var/log)
     j=$(journalctl -b -u kubeosd --no-pager -o cat)
     grep -q 'slot B committed' <<<"$j" || fail "no commit in journalctl -u kubeosd: $j"
     grep -q 'slot B committed' /var/log/messages || fail "no commit in /var/log/messages"
     a=$(mount_slot A) || fail "cannot mount ROOT-A"
     ja=$(journalctl -D "$a/var/log/journal" -u kubeosd --no-pager -o cat)
     echo "--- kubeosd journal on A:"; grep -E 'job|trial|install|Rebooting' <<<"$ja"
     grep -q 'Started upgrade job' <<<"$ja" || fail "no upgrade job in A's journal"
     grep -q 'trial boot armed' <<<"$ja" || fail "no trial boot in A's journal"
     grep -Eq 'kubeosd.*Started upgrade job' "$a/var/log/messages" || fail "no upgrade job in A's /var/log/messages"
     grep -Eq 'kubeosd.*trial boot armed' "$a/var/log/messages" || fail "no trial boot in A's /var/log/messages"
     pass ;;
esac
fail "unexpected phase"
