// SPDX-License-Identifier: MulanPSL-2.0
// Drain planning: DaemonSet and mirror pods stay, pods that would be lost are refused
// and named unless evictpodforce, terminating pods are waited for.
#include "proxy/core/drain_plan.h"

#include <gtest/gtest.h>

namespace kubeos::proxy {
namespace {

using nlohmann::json;

json Pod(const std::string& name,
         const std::string& controller = "ReplicaSet",
         bool empty_dir = false,
         const std::string& phase = "Running") {
  json p = {{"metadata", {{"namespace", "apps"}, {"name", name}, {"uid", "u-" + name}}},
            {"spec", {{"nodeName", "n1"}, {"containers", json::array()}}},
            {"status", {{"phase", phase}}}};
  if (!controller.empty()) {
    p["metadata"]["ownerReferences"] =
        json::array({{{"kind", controller}, {"name", "c"}, {"uid", "x"}, {"controller", true}}});
  }
  if (empty_dir)
    p["spec"]["volumes"] = json::array({{{"name", "d"}, {"emptyDir", json::object()}}});
  return p;
}

std::vector<std::string> Names(const std::vector<PodView>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.push_back(p.name);
  return out;
}

std::vector<PodView> Parse(std::initializer_list<json> pods) {
  std::vector<PodView> out;
  for (const auto& p : pods) out.push_back(ParsePod(p));
  return out;
}

TEST(DrainPlanTest, EvictsManagedPodsAndSkipsDaemonSetAndMirrorPods) {
  json mirror = Pod("static", "Node");
  mirror["metadata"]["annotations"] = {{"kubernetes.io/config.mirror", "abc"}};
  auto plan = PlanDrain(Parse({Pod("web"), Pod("agent", "DaemonSet"), mirror}), false);
  EXPECT_EQ(Names(plan.evict), std::vector<std::string>{"web"});
  EXPECT_EQ(Names(plan.skipped), (std::vector<std::string>{"agent", "static"}));
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_FALSE(plan.Done());
}

TEST(DrainPlanTest, WithoutForceRefusesAndNamesPodsThatWouldBeLost) {
  auto plan =
      PlanDrain(Parse({Pod("bare", ""), Pod("cache", "ReplicaSet", true), Pod("web")}), false);
  ASSERT_EQ(plan.refusals.size(), 2u);
  EXPECT_NE(plan.refusals[0].find("apps/bare"), std::string::npos);
  EXPECT_NE(plan.refusals[0].find("not managed"), std::string::npos);
  EXPECT_NE(plan.refusals[1].find("apps/cache"), std::string::npos);
  EXPECT_NE(plan.refusals[1].find("emptyDir"), std::string::npos);
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_FALSE(plan.Done());
}

TEST(DrainPlanTest, WithForceDeletesUnmanagedPodsAndEvictsLocalStorage) {
  auto plan = PlanDrain(Parse({Pod("bare", ""), Pod("cache", "ReplicaSet", true)}), true);
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_EQ(Names(plan.remove), std::vector<std::string>{"bare"});
  EXPECT_EQ(Names(plan.evict), std::vector<std::string>{"cache"});
}

TEST(DrainPlanTest, FinishedPodsAreEvictedEvenWhenUnmanaged) {
  auto plan = PlanDrain(Parse({Pod("job", "", false, "Succeeded")}), false);
  EXPECT_TRUE(plan.refusals.empty());
  EXPECT_EQ(Names(plan.evict), std::vector<std::string>{"job"});
}

TEST(DrainPlanTest, TerminatingPodsAreWaitedFor) {
  json p = Pod("going");
  p["metadata"]["deletionTimestamp"] = "2026-11-25T10:00:00Z";
  auto plan = PlanDrain(Parse({p}), false);
  EXPECT_EQ(Names(plan.waiting), std::vector<std::string>{"going"});
  EXPECT_FALSE(plan.Done());
}

TEST(DrainPlanTest, DoneWhenOnlyDaemonSetPodsRemain) {
  EXPECT_TRUE(PlanDrain(Parse({Pod("agent", "DaemonSet")}), false).Done());
  EXPECT_TRUE(PlanDrain({}, false).Done());
}

}  // namespace
}  // namespace kubeos::proxy
