#!/bin/bash
# A trial boot of an empty (unbootable) slot B falls back to the committed slot A in the same
# power cycle, by GRUB alone.
. ./lib.sh
case $PHASE in
  0) expect_booted A "KubeOS 1.0.0"
     grub-editenv "$GRUBENV" set next_entry=B
     reboot_into_phase 1 ;;
  1) expect_booted A "KubeOS 1.0.0"
     expect_env next_entry ""
     expect_env saved_entry A
     pass ;;
esac
fail "unexpected phase"
