// SPDX-License-Identifier: MulanPSL-2.0
// The boot-slot decisions of upgrade and rollback as pure functions: what to do after a trial
// boot (commit or fall back) and whether the other slot may be rolled back to.
#pragma once

#include "base/error.h"
#include "core/ports/block_devices.h"
#include "core/slot.h"
#include "core/state.h"

namespace kubeos::core::upgrade {

enum class TrialVerdict {
  kCheckHealth,  // running on the target: commit once the health check passes
  kFellBack,     // running on the previous slot: the trial boot failed (GRUB fell back)
};

// Where the node came up after the reboot of |pending|.
[[nodiscard]] constexpr TrialVerdict JudgeReboot(const PendingBoot& pending, Slot booted) {
  return booted == pending.target ? TrialVerdict::kCheckHealth : TrialVerdict::kFellBack;
}

enum class HealthVerdict {
  kCommit,  // make the target the default, mark it good, apply the post-config
  kRevert,  // mark the target bad, make the previous slot the default, reboot into it
};

[[nodiscard]] constexpr HealthVerdict JudgeHealth(bool healthy) {
  return healthy ? HealthVerdict::kCommit : HealthVerdict::kRevert;
}

// Rollback needs a slot that held a good image: a filesystem, and kubeosd either confirmed it
// (kGood) or never touched it (kUnknown, the factory image). kInstalling, kInstalled (never
// confirmed) and kBad are refused with Errc::kNoStandbySlot.
[[nodiscard]] Status CheckRollbackSource(const SlotDevice& device, const SlotRecord& record);

}  // namespace kubeos::core::upgrade
