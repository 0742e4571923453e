#!/bin/bash
# NOT REGISTERED YET (needs kubeosd's upgrade engine; never run): kubeosctl upgrade v1 → v2 over
# https; the node reboots into B for a trial, kubeosd's health check commits B, the job is logged.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     install -D -m 644 ca.pem /etc/KubeOS/certs/kubeos-test-ca.pem
     echo 1 > "$STATE/phase"; sync # kubeosd reboots the node itself
     kubeosctl upgrade --version "KubeOS 2.0.0" --image-url "$IMAGES_HTTPS/v2.img" \
       --checksum "$(image_sum v2.img)" --ca-cert kubeos-test-ca.pem || fail "kubeosctl upgrade failed"
     sleep 300; fail "no reboot after the upgrade" ;;
  1) expect_booted B "KubeOS 2.0.0"
     wait_status '"default-slot" s "B"' 180 || fail "kubeosd did not commit B: $(kubeos_status)"
     kubeos_status
     journalctl -b -1 -u kubeosd --no-pager | grep -qi upgrade || fail "no upgrade job in the journal"
     grep -q kubeosd /var/log/messages || fail "no kubeosd lines in /var/log/messages"
     pass ;;
esac
fail "unexpected phase"
