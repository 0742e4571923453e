// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/trial.h"

#include <gtest/gtest.h>

namespace kubeos::core::upgrade {
namespace {

TEST(TrialTest, CommitOrFallBackTable) {
  const PendingBoot to_b{JobType::kUpgrade, Slot::kB, Slot::kA, "v2", "", ""};
  EXPECT_EQ(JudgeReboot(to_b, Slot::kB), TrialVerdict::kCheckHealth);
  EXPECT_EQ(JudgeReboot(to_b, Slot::kA), TrialVerdict::kFellBack);
  EXPECT_EQ(JudgeHealth(true), HealthVerdict::kCommit);
  EXPECT_EQ(JudgeHealth(false), HealthVerdict::kRevert);
}

TEST(TrialTest, RollbackSourceMustHaveBeenGood) {
  const SlotDevice with_fs{Slot::kB, "/dev/vda3", "ext4", "ROOT-B", "ROOT-B"};
  const SlotDevice empty{Slot::kB, "/dev/vda3", "", "", "ROOT-B"};
  EXPECT_TRUE(CheckRollbackSource(with_fs, {SlotHealth::kGood, "v1"}).has_value());
  EXPECT_TRUE(CheckRollbackSource(with_fs, {SlotHealth::kUnknown, ""}).has_value());
  for (const SlotHealth h : {SlotHealth::kInstalling, SlotHealth::kInstalled, SlotHealth::kBad}) {
    const auto r = CheckRollbackSource(with_fs, {h, "v1"});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::kNoStandbySlot);
  }
  EXPECT_FALSE(CheckRollbackSource(empty, {SlotHealth::kGood, "v1"}).has_value());
  EXPECT_FALSE(CheckRollbackSource(empty, {SlotHealth::kUnknown, ""}).has_value());
}

}  // namespace
}  // namespace kubeos::core::upgrade
