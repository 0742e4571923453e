#!/bin/bash
# NOT REGISTERED YET (never run): a grub.cmdline.next config, then an upgrade: the new slot boots
# with the argument, the old one does not have it.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     cat > /tmp/next.json <<'JSON'
{"version": "cmdline-1", "configs": [{"model": "grub.cmdline.next",
  "contents": [{"key": "kubeos.test", "value": "next"}]}]}
JSON
     kubeosctl config -f /tmp/next.json || fail "kubeosctl config failed"
     install -D -m 644 ca.pem /etc/KubeOS/certs/kubeos-test-ca.pem
     echo 1 > "$STATE/phase"; sync
     kubeosctl upgrade --version "KubeOS 2.0.0" --image-url "$IMAGES_HTTPS/v2.img" \
       --checksum "$(image_sum v2.img)" --ca-cert kubeos-test-ca.pem || fail "kubeosctl upgrade failed"
     sleep 300; fail "no reboot after the upgrade" ;;
  1) expect_booted B "KubeOS 2.0.0"
     grep -qw kubeos.test=next /proc/cmdline || fail "B booted without kubeos.test=next: $(cat /proc/cmdline)"
     pass ;;
esac
fail "unexpected phase"
