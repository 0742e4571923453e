#!/bin/bash
# The bad image in ROOT-B loads but panics (its init exits; panic=5 resets the machine). The trial
# boot was one-shot, so the next power cycle is back on slot A.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     grub-editenv "$GRUBENV" set next_entry=B
     reboot_into_phase 1 ;;
  1) expect_booted A "KubeOS 1.0.0"
     expect_env next_entry ""
     pass ;;
esac
fail "unexpected phase"
