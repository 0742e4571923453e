#!/bin/bash
# NOT REGISTERED YET (never run): the host cuts the power (HOST-POWERCUT) while kubeosd writes the
# image; the node boots the old slot, and a new upgrade then succeeds.
. ./lib.sh
upgrade() { # ARGS…
  install -D -m 644 ca.pem /etc/KubeOS/certs/kubeos-test-ca.pem
  kubeosctl upgrade --version "KubeOS 2.0.0" --image-url "$IMAGES_HTTPS/v2.img" \
    --checksum "$(image_sum v2.img)" --ca-cert kubeos-test-ca.pem "$@"
}
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     echo 1 > "$STATE/phase"; sync
     upgrade --no-wait || fail "kubeosctl upgrade failed"
     for _ in $(seq 600); do # until a quarter of the image is written
       job=$(busctl get-property org.openeuler.KubeOS1 /org/openeuler/KubeOS1 org.openeuler.KubeOS1 \
               ActiveJob 2>/dev/null | awk '{ print $2 }' | tr -d '"')
       p=$(busctl get-property org.openeuler.KubeOS1 "${job:-/}" org.openeuler.KubeOS1.Job Progress \
             2>/dev/null | awk '{ print $2 }')
       [[ ${p:-0} -ge 25 ]] && break
       sleep 0.2
     done
     echo "HOST-POWERCUT at progress ${p:-?}"
     sleep 300; fail "the host did not cut the power" ;;
  1) expect_booted A "KubeOS 1.0.0"
     expect_env saved_entry A
     echo 2 > "$STATE/phase"; sync
     upgrade || fail "the upgrade after the power cut failed"
     sleep 300; fail "no reboot after the upgrade" ;;
  2) expect_booted B "KubeOS 2.0.0"
     wait_status '"default-slot" s "B"' 180 || fail "kubeosd did not commit B"
     pass ;;
esac
fail "unexpected phase"
