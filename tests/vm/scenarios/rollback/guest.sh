#!/bin/bash
# After an upgrade to v2 (plain HTTPS this time, with `kubeosctl upgrade`), `kubeosctl rollback`
# brings the node back to slot A with v1: a trial boot of A that kubeosd commits.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     wait_idle 120 || fail "kubeosd is not idle: $(kubeosctl status 2>&1)"
     install_certs
     echo 1 > "$STATE/phase"; sync # kubeosd reboots the node itself
     expect_reboot upgrade_to v2.img "KubeOS 2.0.0" ;;
  1) expect_booted B "KubeOS 2.0.0"
     wait_idle 300 || fail "kubeosd did not finish the trial: $(kubeosctl status 2>&1)"
     expect_status default-slot B
     expect_status other-version "KubeOS 1.0.0"
     expect_status other-valid true
     # a rollback to a version the other slot does not hold is refused and changes nothing
     if kubeosctl rollback --version "KubeOS 9.9.9" --no-reboot; then fail "rollback to 9.9.9 accepted"; fi
     expect_env next_entry ""
     expect_status default-slot B
     echo 2 > "$STATE/phase"; sync
     expect_reboot kubeosctl rollback --version "KubeOS 1.0.0" ;;
  2) expect_booted A "KubeOS 1.0.0"
     wait_idle 300 || fail "kubeosd did not finish the rollback trial: $(kubeosctl status 2>&1)"
     kubeosctl status
     expect_status booted-slot A
     expect_status booted-version "KubeOS 1.0.0"
     expect_status other-version "KubeOS 2.0.0"
     expect_status default-slot A
     expect_status next-boot-slot A
     expect_status pending-reboot false
     expect_status last-error ""
     expect_env saved_entry A
     expect_env next_entry ""
     journalctl -b -u kubeosd --no-pager -o cat | grep -q 'slot A committed' ||
       fail "no commit of A in journalctl -u kubeosd"
     pass ;;
esac
fail "unexpected phase"
