#!/bin/bash
# An upgrade to the bad image (its init exits, the kernel panics, panic=5 resets the machine):
# the trial boot was one-shot, so the next power cycle is back on slot A by itself, and kubeosd
# there reports the failed trial and its reason, and no longer offers B.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     wait_idle 120 || fail "kubeosd is not idle: $(kubeosctl status 2>&1)"
     install_certs
     echo 1 > "$STATE/phase"; sync # kubeosd reboots the node itself
     expect_reboot upgrade_to bad.img "KubeOS 2.0.0-bad" ;;
  1) expect_booted A "KubeOS 1.0.0"
     wait_idle 300 || fail "kubeosd did not finish the trial: $(kubeosctl status 2>&1)"
     kubeosctl status
     expect_env saved_entry A
     expect_env next_entry ""
     expect_status booted-slot A
     expect_status default-slot A
     expect_status next-boot-slot A
     expect_status pending-reboot false
     expect_status other-valid false
     err=$(status_get last-error)
     [[ $err == *"slot B (KubeOS 2.0.0-bad) did not boot"* ]] ||
       fail "Status last-error does not report the failed trial of B: '$err'"
     journalctl -b -u kubeosd --no-pager -o cat | grep -q 'trial boot of slot B failed' ||
       fail "no failed trial in journalctl -u kubeosd"
     # B is not offered for a rollback any more
     if kubeosctl rollback --no-reboot; then fail "rollback to the failed slot B accepted"; fi
     expect_env next_entry ""
     pass ;;
esac
fail "unexpected phase"
