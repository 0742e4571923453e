// SPDX-License-Identifier: MulanPSL-2.0
// kubeos-operator against a real kube-apiserver, driven by real kubectl (R-1,
//
#include <signal.h>

#include <cstdlib>
#include <ctime>

#include "kube_fixture.h"

namespace kubeos::kubetest {
namespace {

using namespace std::chrono_literals;

const std::string kCP = "node-role.kubernetes.io/control-plane";
const std::string kSel = "upgrade.openeuler.org/node-selector";

class OperatorKubeTest : public KubeTest {};

TEST_F(OperatorKubeTest, SeedUpgradeYamlUpgradesEveryWorkerWithinMaxUnavailable) {
  for (int i = 0; i < 4; ++i) AddNode("worker" + std::to_string(i), "KubeOS 1.0.0");
  AddNode("master", "KubeOS 1.0.0", {{kCP, ""}});
  NodeSimulator sim(*api_, 1500ms);
  StartOperator();
  ApplySeed("upgrade_v1alpha1_os.yaml");  // maxunavailable 2, timeinterval
                                          // defaults to 15 s
  ASSERT_TRUE(WaitUntil(90s, [&] { return OsCondition("os-sample", "Complete"); }));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(NodeImage("worker" + std::to_string(i)), "KubeOS 2.0.0");
  EXPECT_EQ(NodeImage("master"), "KubeOS 1.0.0");  // control plane excluded
  EXPECT_LE(sim.MaxBusy(), 2);
  EXPECT_EQ(sim.MaxBusy(), 2);
  for (const auto& d : sim.Dispatches()) {
    EXPECT_EQ(d.nodestatus, "upgrade");
    EXPECT_EQ(d.owner, "os-sample");
  }
  auto counts = sim.DispatchCounts();
  EXPECT_EQ(counts.size(), 4u);
  for (const auto& [node, n] : counts) EXPECT_EQ(n, 1) << node;
  Json os = Os("os-sample");
  EXPECT_EQ(os["spec"]["timeinterval"], 15);  // CRD default
  EXPECT_EQ(os["status"]["updated"], 4);
  EXPECT_EQ(os["status"]["observedGeneration"], os["metadata"]["generation"]);
  EXPECT_GE(Events("Dispatched").size(), 4u);
  EXPECT_GE(Events("Completed").size(), 4u);
  std::string out;
  ASSERT_EQ(Kubectl("get osinstances -o "
                    "custom-columns='NAME:.metadata.name,NODESTATUS:.spec.nodestatus,"
                    "SYSCONFIG:status.sysconfigs.version,UPGRADECONFIG:status."
                    "upgradeconfigs.version'",
                    &out),
            0)
      << out;
  EXPECT_NE(out.find("worker3   idle"), std::string::npos) << out;
}

TEST_F(OperatorKubeTest, SeedConfigYamlConfiguresOnlyNodesAtOsversion) {
  AddNode("a", "KubeOS 1.0.0");
  AddNode("b", "KubeOS 1.0.0");
  AddNode("old", "KubeOS 0.9.0");
  NodeSimulator sim(*api_, 500ms);
  StartOperator();
  ApplySeed("config_v1alpha1_os.yaml");
  ASSERT_TRUE(WaitUntil(60s, [&] { return OsCondition("os-sample", "Complete"); }));
  auto counts = sim.DispatchCounts();
  EXPECT_EQ(counts, (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
  for (const auto& d : sim.Dispatches()) EXPECT_EQ(d.nodestatus, "config");
  auto osi = api_->Get(kube::kOSInstances, "default", "a");
  ASSERT_TRUE(osi);
  EXPECT_EQ((*osi)["status"]["sysconfigs"]["version"], "v2");
  // Config is not an upgrade: the grub models are not swapped.
  EXPECT_EQ((*osi)["spec"]["sysconfigs"]["configs"][2]["model"], "grub.cmdline.current");
  EXPECT_FALSE(api_->Get(kube::kOSInstances, "default", "old"));
}

TEST_F(OperatorKubeTest, SeedRollbackYamlRollsWorkersBack) {
  AddNode("a", "KubeOS 2.0.0");
  AddNode("b", "KubeOS 2.0.0");
  NodeSimulator sim(*api_, 500ms);
  StartOperator();
  ApplySeed("rollback_v1alpha1_os.yaml");
  ASSERT_TRUE(WaitUntil(60s, [&] { return OsCondition("os-sample", "Complete"); }));
  EXPECT_EQ(NodeImage("a"), "KubeOS 1.0.0");
  EXPECT_EQ(NodeImage("b"), "KubeOS 1.0.0");
  for (const auto& d : sim.Dispatches()) EXPECT_EQ(d.nodestatus, "rollback");
  EXPECT_EQ(sim.Dispatches().size(), 2u);
}

TEST_F(OperatorKubeTest, MalformedOsIsRefusedByKubectlApply) {
  std::string out;
  EXPECT_NE(
      Kubectl(std::string("apply -f ") + KUBEOS_SEED_DIR + "/bad_maxunavailable_os.yaml", &out), 0);
  EXPECT_NE(out.find("spec.maxunavailable"), std::string::npos) << out;
  EXPECT_NE(out.find("spec.opstype"), std::string::npos) << out;
}

class OperatorKubeScenarioTest : public KubeTest {
 protected:
  // Applies an OS (upgrade to v2 unless |extra| overrides) from inline YAML
  // through kubectl.
  void Apply(const std::string& name, const std::string& extra) {
    const std::string yaml =
        "apiVersion: upgrade.openeuler.org/v1alpha1\nkind: OS\nmetadata:\n  "
        "name: " +
        name +
        "\nspec:\n  imagetype: containerd\n  opstype: upgrade\n"
        "  containerimage: registry.local/kubeos:v2\n  evictpodforce: true\n  "
        "checksum: \"\"\n" +
        (extra.find("osversion") == std::string::npos ? "  osversion: v2\n" : "") + extra;
    std::string out;
    EXPECT_EQ(Kubectl("apply -f - <<'EOF'\n" + yaml + "EOF\n", &out), 0) << out << yaml;
  }
};

TEST_F(OperatorKubeScenarioTest, SerialModeRunsOneNodeAtATime) {
  for (int i = 0; i < 3; ++i) AddNode("n" + std::to_string(i), "v1");
  NodeSimulator sim(*api_, 800ms);
  StartOperator();
  Apply("serial", "  maxunavailable: 2\n  executionmode: serial\n  timeinterval: 1\n");
  ASSERT_TRUE(WaitUntil(90s, [&] { return OsCondition("serial", "Complete"); }));
  EXPECT_EQ(sim.MaxBusy(), 1);
  EXPECT_EQ(sim.DispatchCounts().size(), 3u);
}

TEST_F(OperatorKubeScenarioTest, NodeSelectorPicksNodesAsTheSeedSays) {
  AddNode("plain", "v1");
  AddNode("empty", "v1", {{kSel, ""}});
  AddNode("tagged", "v1", {{kSel, "kubeos"}});
  AddNode("master", "v1", {{kCP, ""}});
  NodeSimulator sim(*api_, 300ms);
  StartOperator();
  Apply("by-value", "  maxunavailable: 5\n  nodeselector: kubeos\n");
  Apply("by-empty", "  maxunavailable: 5\n  nodeselector: \"\"\n");
  Apply("unset", "  maxunavailable: 5\n");
  ASSERT_TRUE(WaitUntil(60s, [&] {
    return OsCondition("by-value", "Complete") && OsCondition("by-empty", "Complete") &&
           OsCondition("unset", "Complete");
  }));
  std::map<std::string, std::string> owner;
  for (const auto& d : sim.Dispatches()) owner[d.node] = d.owner;
  EXPECT_EQ(owner, (std::map<std::string, std::string>{
                       {"plain", "unset"}, {"empty", "by-empty"}, {"tagged", "by-value"}}));
}

TEST_F(OperatorKubeScenarioTest, ConflictingOsIsReportedAndDoesNothing) {
  AddNode("a", "v1", {{kSel, "x"}});
  NodeSimulator sim(*api_,
                    60000ms);  // nodes stay busy: the first OS keeps its claim
  StartOperator();
  Apply("first", "  maxunavailable: 1\n  nodeselector: x\n");
  ASSERT_TRUE(WaitUntil(30s, [&] { return sim.Dispatches().size() == 1; }));
  Apply("second", "  maxunavailable: 1\n  nodeselector: x\n  osversion: v3\n");
  ASSERT_TRUE(WaitUntil(30s, [&] { return OsCondition("second", "Conflict"); }));
  EXPECT_FALSE(Events("NodeSelectorConflict").empty());
  std::this_thread::sleep_for(2s);  // give a wrong dispatch the chance to show up
  ASSERT_EQ(sim.Dispatches().size(), 1u);
  EXPECT_EQ(sim.Dispatches()[0].owner, "first");
}

std::string ClockText(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

TEST_F(OperatorKubeScenarioTest, TimeWindowGatesDispatch) {
  AddNode("a", "v1");
  NodeSimulator sim(*api_, 300ms);
  StartOperator({"--time-zone", "UTC"});
  setenv("TZ", "UTC", 1);
  tzset();
  Apply("win",
        "  maxunavailable: 1\n  timewindow:\n    starttime: "
        "\"2020-01-01 00:00:00\"\n"
        "    endtime: \"2020-01-02 00:00:00\"\n");
  ASSERT_TRUE(WaitUntil(30s, [&] { return OsCondition("win", "WaitingForWindow"); }));
  std::this_thread::sleep_for(2s);
  EXPECT_TRUE(sim.Dispatches().empty());  // a window in the past never opens
  const std::time_t now = std::time(nullptr);
  // starttime later than endtime: the window crosses midnight and contains now.
  Apply("win", "  maxunavailable: 1\n  timewindow:\n    starttime: \"" + ClockText(now - 3600) +
                   "\"\n    endtime: \"" + ClockText(now - 7200) + "\"\n");
  ASSERT_TRUE(WaitUntil(30s, [&] { return OsCondition("win", "Complete"); }));
  EXPECT_EQ(sim.Dispatches().size(), 1u);
}

TEST_F(OperatorKubeScenarioTest, FailureBudgetHaltsTheRolloutUntilTheSpecChanges) {
  for (int i = 0; i < 4; ++i) AddNode("n" + std::to_string(i), "v1");
  NodeSimulator sim(*api_, 300ms);
  sim.Fail("n0");
  sim.Fail("n1");
  StartOperator();
  Apply("os", "  maxunavailable: 2\n  timeinterval: 0\n");
  ASSERT_TRUE(WaitUntil(30s, [&] { return OsCondition("os", "Halted"); }));
  const std::size_t at_halt = sim.Dispatches().size();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(sim.Dispatches().size(), at_halt);  // nothing new starts once halted
  // n0 failing frees a slot for n2 before n1 fails; n3 is never started.
  EXPECT_LE(at_halt, 3u);
  EXPECT_FALSE(sim.DispatchCounts().contains("n3"));
  EXPECT_FALSE(Events("FailureBudgetExhausted").empty());
  sim.ClearFailures();
  Apply("os",
        "  maxunavailable: 3\n  timeinterval: 0\n");  // a spec change resumes
  ASSERT_TRUE(WaitUntil(60s, [&] { return OsCondition("os", "Complete"); }));
  EXPECT_FALSE(OsCondition("os", "Halted"));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(NodeImage("n" + std::to_string(i)), "v2");
}

std::string Metrics(int port) {
  std::string cmd = "curl -sf http://127.0.0.1:" + std::to_string(port) + "/metrics";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

double MetricValue(const std::string& text, const std::string& name) {
  auto pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) return -1;
  return std::atof(text.c_str() + pos + name.size() + 2);
}

TEST_F(OperatorKubeScenarioTest, SurvivesAnExpiredWatchAndAnApiserverRestartWithoutDoubleDispatch) {
  for (int i = 0; i < 4; ++i) AddNode("n" + std::to_string(i), "v1");
  NodeSimulator sim(*api_, 4000ms);
  StartOperator({"--metrics-address", "127.0.0.1:18931"});
  Apply("os", "  maxunavailable: 2\n  timeinterval: 0\n");
  ASSERT_TRUE(WaitUntil(30s, [&] { return sim.Dispatches().size() == 2; }));
  // Move etcd's revision on, compact it, restart the apiserver: every watch
  // resumes from a compacted resourceVersion and gets 410.
  for (int i = 0; i < 5; ++i) {
    (void)api_->Create(kube::kEvents, "default",
                       Json{{"metadata", {{"generateName", "bump."}}},
                            {"involvedObject", {{"kind", "Node"}, {"name", "n0"}}},
                            {"reason", "Bump"},
                            {"message", "x"}});
  }
  const std::string cluster = std::string(KUBEOS_KUBE_TEST_DIR) + "/cluster";
  ASSERT_EQ(std::system((cluster + " compact >/dev/null").c_str()), 0);
  ASSERT_EQ(std::system((cluster + " restart >/dev/null").c_str()), 0);
  ASSERT_TRUE(WaitUntil(90s, [&] { return OsCondition("os", "Complete"); }));
  for (const auto& [node, n] : sim.DispatchCounts()) EXPECT_EQ(n, 1) << node;
  EXPECT_EQ(sim.DispatchCounts().size(), 4u);
  EXPECT_LE(sim.MaxBusy(), 2);
  std::string m = Metrics(18931);
  EXPECT_GT(MetricValue(m, "kubeos_operator_relists_total"), 0) << m;
}

TEST_F(OperatorKubeScenarioTest, TwoReplicasElectOneLeader) {
  for (int i = 0; i < 3; ++i) AddNode("n" + std::to_string(i), "v1");
  NodeSimulator sim(*api_, 500ms);
  const std::vector<std::string> common = {"--leader-elect", "--lease-namespace", "default",
                                           "--lease-duration", "4"};
  auto args = [&](const char* id, const char* port) {
    auto a = common;
    a.insert(a.end(), {"--identity", id, "--metrics-address", port});
    return a;
  };
  pid_t one = StartOperator(args("one", "127.0.0.1:18941"));
  StartOperator(args("two", "127.0.0.1:18942"));
  std::string holder;
  ASSERT_TRUE(WaitUntil(30s, [&] {
    auto lease = api_->Get(kube::kLeases, "default", "kubeos-operator");
    if (!lease) return false;
    holder = (*lease)["spec"].value("holderIdentity", "");
    return !holder.empty();
  }));
  ASSERT_TRUE(WaitUntil(10s, [&] {
    return MetricValue(Metrics(18941), "kubeos_operator_leader") +
               MetricValue(Metrics(18942), "kubeos_operator_leader") ==
           1;
  }));
  Apply("os", "  maxunavailable: 1\n  timeinterval: 0\n");
  ASSERT_TRUE(WaitUntil(60s, [&] { return OsCondition("os", "Complete"); }));
  for (const auto& [node, n] : sim.DispatchCounts()) EXPECT_EQ(n, 1) << node;
  // The leader goes away: the other replica takes over.
  if (holder == "one") {
    StopOperator(one);
    operators_.erase(operators_.begin());
  } else {
    StopOperator(operators_[1]);
    operators_.pop_back();
  }
  const std::string other = holder == "one" ? "two" : "one";
  ASSERT_TRUE(WaitUntil(20s, [&] {
    auto lease = api_->Get(kube::kLeases, "default", "kubeos-operator");
    return lease && (*lease)["spec"].value("holderIdentity", "") == other;
  }));
}

}  // namespace
}  // namespace kubeos::kubetest
