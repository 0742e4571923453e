#!/bin/bash
# The host cuts the power (HOST-POWERCUT: QEMU killed at once) while kubeosd writes v2 into slot
# B; the node boots the old slot A, kubeosd does not offer the half-written B, and a new upgrade
# then succeeds.
. ./lib.sh
prop() { # OBJECT INTERFACE PROPERTY: the value only
  busctl get-property org.openeuler.KubeOS1 "$1" "$2" "$3" 2>/dev/null | cut -d' ' -f2- | tr -d '"'
}
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     wait_idle 120 || fail "kubeosd is not idle: $(kubeosctl status 2>&1)"
     install_certs
     echo 1 > "$STATE/phase"; sync
     upgrade_to v2.img "KubeOS 2.0.0" --no-wait || fail "kubeosctl upgrade failed"
     stage= p=0
     for _ in $(seq 1200); do # until a quarter of the image is written (at most 10 minutes)
       job=$(prop /org/openeuler/KubeOS1 org.openeuler.KubeOS1 ActiveJob)
       [[ $job == /org/openeuler/KubeOS1/job/* ]] || fail "the upgrade job ended early: $(kubeosctl status 2>&1)"
       stage=$(prop "$job" org.openeuler.KubeOS1.Job Stage)
       p=$(prop "$job" org.openeuler.KubeOS1.Job Progress)
       [[ $stage == writing && ${p:-0} -ge 25 ]] && break
       sleep 0.5
     done
     [[ $stage == writing && ${p:-0} -ge 25 ]] || fail "the write did not reach 25 %: stage $stage, $p %"
     echo "HOST-POWERCUT at stage $stage, progress $p %"
     sleep 300; fail "the host did not cut the power" ;;
  1) expect_booted A "KubeOS 1.0.0"
     wait_idle 300 || fail "kubeosd is not idle after the power cut: $(kubeosctl status 2>&1)"
     kubeosctl status
     expect_env saved_entry A
     expect_env next_entry ""
     expect_status booted-slot A
     expect_status default-slot A
     expect_status next-boot-slot A
     expect_status pending-reboot false
     expect_status other-valid false
     if kubeosctl rollback --no-reboot; then fail "rollback to the half-written slot B accepted"; fi
     expect_env next_entry ""
     echo 2 > "$STATE/phase"; sync
     expect_reboot upgrade_to v2.img "KubeOS 2.0.0" ;;
  2) expect_booted B "KubeOS 2.0.0"
     wait_idle 300 || fail "kubeosd did not finish the trial: $(kubeosctl status 2>&1)"
     kubeosctl status
     expect_status booted-slot B
     expect_status booted-version "KubeOS 2.0.0"
     expect_status default-slot B
     expect_status last-error ""
     expect_env saved_entry B
     pass ;;
esac
fail "unexpected phase"
