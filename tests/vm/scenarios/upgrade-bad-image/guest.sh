#!/bin/bash
# NOT REGISTERED YET (never run): an upgrade to the bad image (its kernel panics, panic=5 resets);
# the node is back on A by itself and Status reports the failed trial.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     install -D -m 644 ca.pem /etc/KubeOS/certs/kubeos-test-ca.pem
     echo 1 > "$STATE/phase"; sync
     kubeosctl upgrade --version "KubeOS 2.0.0-bad" --image-url "$IMAGES_HTTPS/bad.img" \
       --checksum "$(image_sum bad.img)" --ca-cert kubeos-test-ca.pem || fail "kubeosctl upgrade failed"
     sleep 300; fail "no reboot after the upgrade" ;;
  1) expect_booted A "KubeOS 1.0.0"
     expect_env saved_entry A
     wait_status '"last-error" s "[^"]+"' 120 || fail "Status reports no failed trial: $(kubeos_status)"
     kubeos_status
     pass ;;
esac
fail "unexpected phase"
