// SPDX-License-Identifier: MulanPSL-2.0
#include "core/reconcile.h"

#include <gtest/gtest.h>

#include "core/selection.h"

namespace kubeos::op {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

// A small in-memory cluster: Reconcile's dispatches are applied to OSInstances,
// its status to the OS, and a node simulator completes (or fails) dispatched
// nodes after |work_steps| steps.
class Sim {
 public:
  Sim(int node_count, Json spec) {
    for (int i = 0; i < node_count; ++i) {
      nodes_.push_back(NodeObject{"node" + std::to_string(i), {}, "v1"});
    }
    os_ = Json{{"metadata",
                {{"namespace", "default"},
                 {"name", "os"},
                 {"generation", 1},
                 {"creationTimestamp", "2026-01-01T00:00:00Z"}}},
               {"spec", spec}};
  }

  // One reconcile at the fake clock, then one simulator tick; returns the plan.
  Plan Step() {
    OsObject os = ParseOs(os_);
    std::map<std::string, OsInstanceObject> osis;
    for (auto& [name, j] : osi_json_) osis.emplace(name, ParseOsInstance(j));
    auto conflicts = FindConflicts({os}, nodes_);
    Plan plan = Reconcile(os, nodes_, osis, conflicts, Now{now_, Local()}, options_);
    for (const auto& d : plan.dispatches) {
      Json& osi = osi_json_[d.node];
      if (d.create) {
        EXPECT_TRUE(osi.is_null()) << "created twice: " << d.node;
        osi = d.object;
        osi["metadata"]["generation"] = 1;
      } else {
        osi.merge_patch(d.object);
        osi["metadata"]["generation"] = osi["metadata"].value("generation", 0) + 1;
      }
      started_[d.node] = steps_;
      ++dispatch_count_[d.node];
    }
    os_["status"] = plan.status;
    Tick();
    ++steps_;
    now_ += 1s;
    return plan;
  }

  int Busy() const {
    int n = 0;
    for (const auto& [name, j] : osi_json_) n += j["spec"].value("nodestatus", "idle") != "idle";
    return n;
  }

  void Tick() {
    for (auto& [name, osi] : osi_json_) {
      if (osi["spec"].value("nodestatus", "idle") == "idle") continue;
      if (steps_ - started_[name] < work_steps_) continue;
      NodeObject& node =
          *std::find_if(nodes_.begin(), nodes_.end(), [&](auto& n) { return n.name == name; });
      if (fail_.contains(name)) {
        osi["status"]["phase"] = "Failed";
        osi["status"]["observedGeneration"] = osi["metadata"]["generation"];
        continue;
      }
      if (osi["spec"]["nodestatus"] != "config") node.os_image = osi["spec"]["osversion"];
      if (osi["spec"].contains("sysconfigs"))
        osi["status"]["sysconfigs"] = osi["spec"]["sysconfigs"];
      if (osi["spec"].contains("upgradeconfigs"))
        osi["status"]["upgradeconfigs"] = osi["spec"]["upgradeconfigs"];
      osi["spec"]["nodestatus"] = "idle";
      osi["status"]["phase"] = "Succeeded";
      osi["status"]["observedGeneration"] = osi["metadata"]["generation"];
    }
  }

  void ChangeSpec(const char* key, Json value) {
    os_["spec"][key] = std::move(value);
    os_["metadata"]["generation"] = os_["metadata"]["generation"].get<int>() + 1;
  }
  bool Condition(const std::string& type) const {
    if (!os_.contains("status") || !os_["status"].is_object()) return false;
    for (const auto& c : os_["status"].value("conditions", Json::array())) {
      if (c["type"] == type) return c["status"] == "True";
    }
    return false;
  }
  LocalTime Local() const {
    std::time_t t = Clock::to_time_t(now_);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return LocalTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour,        tm.tm_min,     tm.tm_sec};
  }

  std::vector<NodeObject> nodes_;
  Json os_;
  std::map<std::string, Json> osi_json_;
  std::map<std::string, int> started_, dispatch_count_;
  std::set<std::string> fail_;
  int steps_ = 0, work_steps_ = 3;
  Clock::time_point now_ = Clock::from_time_t(1767225600);  // 2026-01-01 00:00:00 UTC
  ReconcileOptions options_;
};

Json UpgradeSpec(int max, const char* mode = "parallel", int interval = 15) {
  return Json{{"opstype", "upgrade"},
              {"osversion", "v2"},
              {"maxunavailable", max},
              {"executionmode", mode},
              {"timeinterval", interval}};
}

bool AllAt(const Sim& s, const std::string& v) {
  return std::all_of(s.nodes_.begin(), s.nodes_.end(), [&](auto& n) { return n.os_image == v; });
}

TEST(ReconcileTest, ParallelNeverExceedsMaxUnavailableAndFinishes) {
  Sim sim(5, UpgradeSpec(2, "parallel", 0));
  for (int i = 0; i < 60 && !sim.Condition("Complete"); ++i) {
    sim.Step();
    ASSERT_LE(sim.Busy(), 2) << "step " << i;
  }
  EXPECT_TRUE(AllAt(sim, "v2"));
  EXPECT_TRUE(sim.Condition("Complete"));
  for (auto& [node, n] : sim.dispatch_count_) EXPECT_EQ(n, 1) << node;
}

TEST(ReconcileTest, MaxUnavailableAboveNodeCountMeansAllNodes) {
  Sim sim(3, UpgradeSpec(10));
  Plan p = sim.Step();
  EXPECT_EQ(p.dispatches.size(), 3u);
}

TEST(ReconcileTest, TimeIntervalSeparatesParallelRounds) {
  Sim sim(4, UpgradeSpec(2, "parallel", 15));
  EXPECT_EQ(sim.Step().dispatches.size(), 2u);  // t=0
  int second_round_at = -1;
  for (int i = 1; i < 40 && second_round_at < 0; ++i) {
    if (!sim.Step().dispatches.empty()) second_round_at = i;
  }
  EXPECT_EQ(second_round_at, 15);
}

TEST(ReconcileTest, SerialRunsOneNodeAtATimeWithinABatch) {
  Sim sim(4, UpgradeSpec(2, "serial", 5));
  sim.options_.serial_gap = 2s;
  for (int i = 0; i < 120 && !sim.Condition("Complete"); ++i) {
    Plan p = sim.Step();
    ASSERT_LE(p.dispatches.size(), 1u);
    ASSERT_LE(sim.Busy(), 1) << "step " << i;
    ASSERT_LE(p.status["batch"].size(), 2u);
  }
  EXPECT_TRUE(AllAt(sim, "v2"));
}

TEST(ReconcileTest, SpecChangeActsAtOnceDespiteTheInterval) {
  Sim sim(4, UpgradeSpec(1, "parallel", 1000));
  EXPECT_EQ(sim.Step().dispatches.size(), 1u);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(sim.Step().dispatches.empty());
  sim.ChangeSpec("maxunavailable", 3);
  EXPECT_EQ(sim.Step().dispatches.size(), 3u);
}

TEST(ReconcileTest, ClosedTimeWindowStartsNothingButReportsWaiting) {
  Json spec = UpgradeSpec(2);
  spec["timewindow"] = {{"starttime", "08:00:00"}, {"endtime", "10:00:00"}};
  Sim sim(2, spec);  // the fake clock says 00:00
  Plan p = sim.Step();
  EXPECT_TRUE(p.dispatches.empty());
  EXPECT_TRUE(sim.Condition("WaitingForWindow"));
  ASSERT_TRUE(p.requeue_after.has_value());
  sim.now_ += 8h + 1s;
  EXPECT_EQ(sim.Step().dispatches.size(), 2u);
  EXPECT_FALSE(sim.Condition("WaitingForWindow"));
}

TEST(ReconcileTest, OvernightWindowOpensBeforeMidnight) {
  Json spec = UpgradeSpec(1);
  spec["timewindow"] = {{"starttime", "23:00:00"}, {"endtime", "01:00:00"}};
  Sim sim(1, spec);
  sim.now_ -= 30min;  // 23:30 of the day before
  EXPECT_EQ(sim.Step().dispatches.size(), 1u);
}

TEST(ReconcileTest, FailureBudgetHaltsAndASpecChangeResumes) {
  Sim sim(5, UpgradeSpec(2, "parallel", 0));
  sim.fail_ = {"node0", "node1"};
  for (int i = 0; i < 10; ++i) sim.Step();
  EXPECT_TRUE(sim.Condition("Halted"));
  EXPECT_EQ(sim.os_["status"]["failed"], 2);
  EXPECT_TRUE(sim.Step().dispatches.empty());
  EXPECT_EQ(sim.nodes_[2].os_image,
            "v1");  // nothing beyond the failed batch was started
  sim.fail_.clear();
  sim.ChangeSpec("osversion",
                 "v2");  // same value, new generation: the user's "try again"
  for (int i = 0; i < 40 && !sim.Condition("Complete"); ++i) sim.Step();
  EXPECT_FALSE(sim.Condition("Halted"));
  EXPECT_TRUE(AllAt(sim, "v2"));
}

TEST(ReconcileTest, ConfigTouchesOnlyNodesAtOsversion) {
  Json spec = {{"opstype", "config"},
               {"osversion", "v1"},
               {"maxunavailable", 5},
               {"sysconfigs", {{"version", "c1"}, {"configs", Json::array()}}}};
  Sim sim(3, spec);
  sim.nodes_[2].os_image = "v0";
  Plan p = sim.Step();
  ASSERT_EQ(p.dispatches.size(), 2u);
  EXPECT_EQ(p.dispatches[0].object["spec"]["nodestatus"], "config");
  for (int i = 0; i < 10; ++i) sim.Step();
  EXPECT_TRUE(sim.Condition("Complete"));
  EXPECT_FALSE(sim.osi_json_.contains("node2"));
}

TEST(ReconcileTest, UpgradeSwapsGrubModelsOfSysconfigsAndDropsOldKeys) {
  Json spec = UpgradeSpec(1);
  spec["sysconfigs"] = {
      {"version", "s2"},
      {"configs", {{{"model", "grub.cmdline.current"}}, {{"model", "grub.cmdline.next"}}}}};
  Sim sim(1, spec);
  sim.osi_json_["node0"] = {
      {"metadata", {{"name", "node0"}, {"generation", 1}}},
      {"spec", {{"nodestatus", "idle"}, {"sysconfigs", {{"version", "s1"}, {"stale", true}}}}}};
  Plan p = sim.Step();
  ASSERT_EQ(p.dispatches.size(), 1u);
  const Json& sys = p.dispatches[0].object["spec"]["sysconfigs"];
  EXPECT_EQ(sys["configs"][0]["model"], "grub.cmdline.next");
  EXPECT_EQ(sys["configs"][1]["model"], "grub.cmdline.current");
  EXPECT_TRUE(sys["stale"].is_null());
  EXPECT_TRUE(sys.contains("stale"));  // explicit null: merge patch deletes it
  EXPECT_EQ(p.dispatches[0].object["spec"]["nodestatus"], "upgrade");
}

TEST(ReconcileTest, RollbackDispatchesRollback) {
  Json spec = UpgradeSpec(1);
  spec["opstype"] = "rollback";
  spec["osversion"] = "v0";
  Sim sim(1, spec);
  Plan p = sim.Step();
  ASSERT_EQ(p.dispatches.size(), 1u);
  EXPECT_TRUE(p.dispatches[0].create);
  EXPECT_EQ(p.dispatches[0].object["spec"]["nodestatus"], "rollback");
  EXPECT_EQ(p.dispatches[0].object["metadata"]["namespace"], "default");
}

TEST(ReconcileTest, ARepeatedPassOverTheSameStateDispatchesNothingNew) {
  Sim sim(3, UpgradeSpec(1, "parallel", 0));
  sim.work_steps_ = 100;
  EXPECT_EQ(sim.Step().dispatches.size(), 1u);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(sim.Step().dispatches.empty());
}

TEST(ReconcileTest, IdleOsInstanceWhoseNodeHasNotReportedTheVersionIsNotDispatchedAgain) {
  Sim sim(1, UpgradeSpec(1, "parallel", 0));
  sim.work_steps_ = 1000;
  ASSERT_EQ(sim.Step().dispatches.size(), 1u);
  // The OSInstance watch shows idle before the Node watch shows the new osImage.
  Json& osi = sim.osi_json_["node0"];
  osi["spec"]["nodestatus"] = "idle";
  Plan p = sim.Step();
  EXPECT_TRUE(p.dispatches.empty());
  EXPECT_EQ(p.status["updating"], 1);  // still counted against maxunavailable
  sim.nodes_[0].os_image = "v2";
  p = sim.Step();
  EXPECT_TRUE(p.dispatches.empty());
  EXPECT_EQ(p.status["updated"], 1);
}

TEST(ReconcileTest, ConflictingOsIsReportedAndDoesNothing) {
  OsObject os =
      ParseOs(Json{{"metadata", {{"namespace", "default"}, {"name", "b"}, {"generation", 1}}},
                   {"spec", UpgradeSpec(1)}});
  std::vector<NodeObject> nodes = {NodeObject{"n", {}, "v1"}};
  Plan p = Reconcile(os, nodes, {}, {{"default/b", "nodeselector conflicts with OS default/a"}},
                     Now{Clock::now(), {}}, {});
  EXPECT_TRUE(p.dispatches.empty());
  ASSERT_FALSE(p.events.empty());
  EXPECT_EQ(p.events[0].reason, "NodeSelectorConflict");
  bool conflict = false;
  for (const auto& c : p.status["conditions"])
    conflict |= c["type"] == "Conflict" && c["status"] == "True";
  EXPECT_TRUE(conflict);
}

TEST(ReconcileTest, CompletionEventsFollowInflightNodes) {
  Sim sim(1, UpgradeSpec(1, "parallel", 0));
  sim.Step();
  bool completed = false;
  for (int i = 0; i < 10; ++i) {
    for (const auto& e : sim.Step().events) completed |= e.reason == "Completed";
  }
  EXPECT_TRUE(completed);
}

}  // namespace
}  // namespace kubeos::op
