#!/bin/bash
# grub.cfg contract: next_entry=B boots B once (GRUB clears it before booting); without a commit
# the following boot returns to saved_entry=A. host-prepare put v2 into ROOT-B.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     grub-editenv "$GRUBENV" set next_entry=B
     reboot_into_phase 1 ;;
  1) expect_booted B "KubeOS 2.0.0"
     expect_env next_entry ""
     expect_env saved_entry A
     reboot_into_phase 2 ;;
  2) expect_booted A "KubeOS 1.0.0"
     expect_env next_entry ""
     pass ;;
esac
fail "unexpected phase"
