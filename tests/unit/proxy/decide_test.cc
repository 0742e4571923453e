// SPDX-License-Identifier: MulanPSL-2.0
// The proxy's state machine, case by case.
#include "proxy/core/decide.h"

#include <gtest/gtest.h>

namespace kubeos::proxy {
namespace {

using nlohmann::json;

json Configs(const std::string& version) {
  return json{
      {"version", version},
      {"configs",
       json::array({{{"model", "kernel.sysctl"},
                     {"contents", json::array({{{"key", "vm.swappiness"}, {"value", "10"}}})}}})}};
}

// An OSInstance of node n1 dispatched by OS default/os1 generation 3.
struct Osi {
  std::string nodestatus = "upgrade";
  std::string osversion = "KubeOS 2";
  json sys = Configs("s2");
  json up = Configs("u2");
  std::string phase = "Running";
  bool observed_current = true;

  [[nodiscard]] op::OsInstanceObject Build() const {
    json spec = {{"nodestatus", nodestatus},
                 {"osversion", osversion},
                 {"osgeneration", 3},
                 {"namespacedname", {{"name", "os1"}, {"namespace", "default"}}}};
    if (!sys.is_null()) spec["sysconfigs"] = sys;
    if (!up.is_null()) spec["upgradeconfigs"] = up;
    json o = {{"metadata", {{"name", "n1"}, {"generation", 7}}},
              {"spec", spec},
              {"status", {{"phase", phase}, {"observedGeneration", observed_current ? 7 : 6}}}};
    return op::ParseOsInstance(o);
  }
};

DaemonStatus Daemon(std::string booted, std::string sys = "s1", std::string up = "u1") {
  DaemonStatus d;
  d.booted_version = std::move(booted);
  d.state = "idle";
  d.sysconfigs_version = std::move(sys);
  d.upgradeconfigs_version = std::move(up);
  return d;
}

NodeView Node(bool unschedulable = false, bool by_proxy = false, std::string started = "") {
  NodeView n;
  n.name = "n1";
  n.unschedulable = unschedulable;
  n.cordoned_by_proxy = by_proxy;
  n.started = std::move(started);
  return n;
}

struct Case {
  std::string name;
  Osi osi;
  NodeView node;
  std::optional<DaemonStatus> daemon;
  Step want;
  std::string want_kind = "";
};

class DecideStepTest : public ::testing::TestWithParam<Case> {};

TEST_P(DecideStepTest, NextStep) {
  const Case& c = GetParam();
  const DaemonStatus* d = c.daemon ? &*c.daemon : nullptr;
  Action a = Decide(c.osi.Build(), c.node, d);
  EXPECT_EQ(StepName(a.step), std::string(StepName(c.want))) << a.message;
  if (!c.want_kind.empty()) {
    EXPECT_EQ(a.kind, c.want_kind);
  }
}

DaemonStatus Busy() {
  auto d = Daemon("KubeOS 1");
  d.active_job = "/org/openeuler/KubeOS1/job/4";
  return d;
}
DaemonStatus PendingReboot() {
  auto d = Daemon("KubeOS 1", "s1", "u2");
  d.pending_reboot = true;
  return d;
}
DaemonStatus FellBack() {
  auto d = Daemon("KubeOS 1", "s1", "u2");
  d.last_error = "trial boot of slot B failed";
  return d;
}

Osi Idle() {
  Osi o;
  o.nodestatus = "idle";
  return o;
}
Osi NotRunning() {
  Osi o;
  o.observed_current = false;
  return o;
}
Osi FailedNow() {
  Osi o;
  o.phase = "Failed";
  return o;
}
Osi Rollback() {
  Osi o;
  o.nodestatus = "rollback";
  o.osversion = "KubeOS 0";
  o.up = nullptr;
  return o;
}
Osi Config(std::string osversion = "KubeOS 1") {
  Osi o;
  o.nodestatus = "config";
  o.osversion = std::move(osversion);
  o.up = nullptr;
  return o;
}
Osi NoConfigs() {
  Osi o;
  o.sys = nullptr;
  o.up = nullptr;
  return o;
}

const std::string kToken = "default/os1/3";

INSTANTIATE_TEST_SUITE_P(
    Proxy,
    DecideStepTest,
    ::testing::Values(
        Case{"IdleDoesNothing", Idle(), Node(), std::nullopt, Step::kNothing},
        Case{"IdleLeavesAForeignCordon", Idle(), Node(true, false), std::nullopt, Step::kNothing},
        Case{"IdleLiftsALeftoverProxyCordon", Idle(), Node(true, true), std::nullopt,
             Step::kUncordon},
        Case{"ReportedFailureWaitsForANewDispatch", FailedNow(), Node(), Daemon("KubeOS 1"),
             Step::kNothing},
        Case{"ReportedFailureLiftsTheProxysCordon", FailedNow(), Node(true, true),
             Daemon("KubeOS 1"), Step::kUncordon},
        Case{"ReportedFailureKeepsAForeignCordon", FailedNow(), Node(true, false),
             Daemon("KubeOS 1"), Step::kNothing},
        Case{"UnreachableDaemonWaits", Osi{}, Node(), std::nullopt, Step::kWaitForDaemon},
        Case{"BusyDaemonWaits", Osi{}, Node(), Busy(), Step::kWaitForDaemon},
        Case{"NewDispatchIsMarkedRunning", NotRunning(), Node(), Daemon("KubeOS 1"),
             Step::kMarkRunning},
        // upgradeconfigs first, then cordon, then drain and Upgrade.
        Case{"UpgradeAppliesUpgradeconfigsFirst", Osi{}, Node(), Daemon("KubeOS 1"),
             Step::kApplyConfig, "upgradeconfigs"},
        Case{"UpgradeCordonsAfterUpgradeconfigs", Osi{}, Node(), Daemon("KubeOS 1", "s1", "u2"),
             Step::kCordon},
        Case{"UpgradeDrainsACordonedNode", Osi{}, Node(true, true),
             Daemon("KubeOS 1", "s1", "u2"), Step::kDrainAndStart},
        // beyond: a node cordoned by someone else is drained without a cordon of ours.
        Case{"UpgradeDrainsAForeignCordonedNode", Osi{}, Node(true, false),
             Daemon("KubeOS 1", "s1", "u2"), Step::kDrainAndStart},
        Case{"UpgradeWithoutConfigsCordons", NoConfigs(), Node(), Daemon("KubeOS 1"),
             Step::kCordon},
        Case{"UpgradeWaitsForTheReboot", Osi{}, Node(true, true, kToken), PendingReboot(),
             Step::kWaitForDaemon},
        // After the reboot: sysconfigs if kubeosd did not apply them as post-reboot work, then
        // finish.
        Case{"AfterRebootAppliesMissingSysconfigs", Osi{}, Node(true, true, kToken),
             Daemon("KubeOS 2", "s1", "u2"), Step::kApplyConfig, "sysconfigs"},
        Case{"AfterRebootFinishes", Osi{}, Node(true, true, kToken),
             Daemon("KubeOS 2", "s2", "u2"), Step::kFinish},
        Case{"AfterRebootFinishesAForeignCordonedNode", Osi{}, Node(true, false, kToken),
             Daemon("KubeOS 2", "s2", "u2"), Step::kFinish},
        // Asked, idle, and still on the old version: the upgrade failed or fell back; no
        // second download (upstream loops forever).
        Case{"StartedButNotAtTargetFails", Osi{}, Node(true, true, kToken), FellBack(),
             Step::kFail},
        Case{"AStartOfAnOlderDispatchDoesNotCount", Osi{}, Node(true, true, "default/os1/2"),
             Daemon("KubeOS 1", "s1", "u2"), Step::kDrainAndStart},
        Case{"RollbackDrainsAndStarts", Rollback(), Node(true, true), Daemon("KubeOS 1"),
             Step::kDrainAndStart},
        Case{"RollbackDone", Rollback(), Node(true, true, kToken), Daemon("KubeOS 0", "s2"),
             Step::kFinish},
        // config moves idle → config → idle.
        Case{"ConfigApplies", Config(), Node(), Daemon("KubeOS 1"), Step::kApplyConfig,
             "sysconfigs"},
        Case{"ConfigFinishesWhenApplied", Config(), Node(), Daemon("KubeOS 1", "s2"),
             Step::kFinish},
        Case{"ConfigOfAnEmptyVersionCounts",
             [] {
               Osi o = Config();
               o.sys = Configs("");
               return o;
             }(),
             Node(), Daemon("KubeOS 1", "s1"), Step::kApplyConfig, "sysconfigs"},
        // not for this OS version.
        Case{"ConfigForAnotherVersionFails", Config("KubeOS 9"), Node(), Daemon("KubeOS 1"),
             Step::kFail},
        Case{"UnknownNodestatusFails",
             [] {
               Osi o;
               o.nodestatus = "dance";
               return o;
             }(),
             Node(), Daemon("KubeOS 1"), Step::kFail}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(DecideTest, DrainAndStartCarriesTheMethodAndTheDispatch) {
  const DaemonStatus d1 = Daemon("KubeOS 1", "s1", "u2");
  const DaemonStatus d2 = Daemon("KubeOS 1");
  Action a = Decide(Osi{}.Build(), Node(true, true), &d1);
  EXPECT_EQ(a.method, "Upgrade");
  EXPECT_EQ(a.token, kToken);
  a = Decide(Rollback().Build(), Node(true, true), &d2);
  EXPECT_EQ(a.method, "Rollback");
}

TEST(DecideTest, FailureNamesKubeosdsLastError) {
  const DaemonStatus d = FellBack();
  Action a = Decide(Osi{}.Build(), Node(true, true, kToken), &d);
  EXPECT_NE(a.message.find("trial boot of slot B failed"), std::string::npos) << a.message;
  EXPECT_NE(a.message.find("KubeOS 1"), std::string::npos) << a.message;
}

TEST(DecideTest, ApplyConfigCarriesTheBlock) {
  const DaemonStatus d = Daemon("KubeOS 1");
  Action a = Decide(Config().Build(), Node(), &d);
  EXPECT_EQ(a.config, Configs("s2"));
}

// retries back off, 1 s doubling, capped at five minutes.
TEST(BackoffTest, DoublesUpToFiveMinutes) {
  EXPECT_EQ(BackoffDelay(0).count(), 0);
  EXPECT_EQ(BackoffDelay(1).count(), 1);
  EXPECT_EQ(BackoffDelay(2).count(), 2);
  EXPECT_EQ(BackoffDelay(5).count(), 16);
  EXPECT_EQ(BackoffDelay(9).count(), 256);
  EXPECT_EQ(BackoffDelay(10).count(), 300);
  EXPECT_EQ(BackoffDelay(1000).count(), 300);
}

}  // namespace
}  // namespace kubeos::proxy
