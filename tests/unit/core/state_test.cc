// SPDX-License-Identifier: MulanPSL-2.0
#include "core/state.h"

#include <gtest/gtest.h>

namespace kubeos::core {
namespace {

TEST(NodeState, RoundTripsEveryField) {
  NodeState s;
  s.sysconfigs_version = "";  // an empty version is a version (seed)
  s.upgradeconfigs_version = "v2";
  s.pending = PendingBoot{JobType::kRollback, Slot::kA, Slot::kB, "KubeOS 1.0", "{\"a\":1}", "id"};
  s.slot_a = {SlotHealth::kGood, "KubeOS 1.0"};
  s.slot_b = {SlotHealth::kBad, "KubeOS 2.0"};
  s.last_error = "org.openeuler.KubeOS1.Error.HealthCheck: kubelet inactive";
  s.needs = {"reboot"};
  s.needs_boot_id = "id";
  auto back = ParseState(SerializeState(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->sysconfigs_version, std::optional<std::string>(""));
  EXPECT_EQ(back->upgradeconfigs_version, "v2");
  ASSERT_TRUE(back->pending);
  EXPECT_EQ(back->pending->type, JobType::kRollback);
  EXPECT_EQ(back->pending->target, Slot::kA);
  EXPECT_EQ(back->pending->previous, Slot::kB);
  EXPECT_EQ(back->pending->post_config, "{\"a\":1}");
  EXPECT_EQ(back->pending->boot_id, "id");
  EXPECT_EQ(back->slot_a.health, SlotHealth::kGood);
  EXPECT_EQ(back->slot_b.health, SlotHealth::kBad);
  EXPECT_EQ(back->slot_b.version, "KubeOS 2.0");
  EXPECT_EQ(back->last_error, s.last_error);
  EXPECT_EQ(back->needs, s.needs);
}

TEST(NodeState, NothingAppliedYetIsDistinctFromAnEmptyVersion) {
  auto back = ParseState(SerializeState(NodeState{}));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->sysconfigs_version.has_value());
}

TEST(NodeState, MalformedFilesAreErrors) {
  EXPECT_FALSE(ParseState("not json"));
  EXPECT_FALSE(ParseState("[]"));
  EXPECT_FALSE(ParseState(R"({"pending": {"type": "upgrade", "target": "C"}})"));
}

}  // namespace
}  // namespace kubeos::core
