#!/bin/bash
# NOT REGISTERED YET (never run): after an upgrade to v2 (as upgrade-https), kubeosctl rollback
# brings the node back to A with v1, committed.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     install -D -m 644 ca.pem /etc/KubeOS/certs/kubeos-test-ca.pem
     echo 1 > "$STATE/phase"; sync
     kubeosctl upgrade --version "KubeOS 2.0.0" --image-url "$IMAGES_HTTPS/v2.img" \
       --checksum "$(image_sum v2.img)" --ca-cert kubeos-test-ca.pem || fail "kubeosctl upgrade failed"
     sleep 300; fail "no reboot after the upgrade" ;;
  1) expect_booted B "KubeOS 2.0.0"
     wait_status '"default-slot" s "B"' 180 || fail "kubeosd did not commit B"
     echo 2 > "$STATE/phase"; sync
     kubeosctl rollback --version "KubeOS 1.0.0" || fail "kubeosctl rollback failed"
     sleep 300; fail "no reboot after the rollback" ;;
  2) expect_booted A "KubeOS 1.0.0"
     wait_status '"default-slot" s "A"' 180 || fail "rollback not committed: $(kubeos_status)"
     pass ;;
esac
fail "unexpected phase"
