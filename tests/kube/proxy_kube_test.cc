// SPDX-License-Identifier: MulanPSL-2.0
// kubeos-proxy against the real kube-apiserver: the drain through the Eviction API with
// real Pod and PodDisruptionBudget objects (no kubelet: pods are bound to the node by the test
// and have no grace period), and the agent loop with an in-process kubeosd stand-in for
// upgrade (cordon kept or lifted) and config (idle → config → idle with the real operator).
#include <condition_variable>

#include "kube_fixture.h"
#include "proxy/agent.h"
#include "proxy/drainer.h"

namespace kubeos::kubetest {
namespace {

using namespace std::chrono_literals;
using proxy::OptionMap;

// The API server here is 1.20: budgets are policy/v1beta1 and evictions fall back to it.
const kube::Resource kPdbs{"/apis/policy/v1beta1", "poddisruptionbudgets", true};

// kubeosd as the proxy sees it: Status, and jobs that end at once (ApplyConfig can be held so
// that a test sees the node in the middle of a config). Upgrade arms a reboot into the version
// asked for; Reboot() performs it, applying the post-reboot sysconfigs as kubeosd does.
class FakeDaemon final : public proxy::NodeDaemon {
 public:
  explicit FakeDaemon(std::string booted) {
    status_.booted_version = std::move(booted);
    status_.state = "idle";
  }

  Result<proxy::DaemonStatus> Status() override {
    std::lock_guard l(mu_);
    return status_;
  }

  Result<JobEnd> RunJob(const std::string& method,
                        const std::optional<std::string>& config_json,
                        const OptionMap& options) override {
    if (method != "ApplyConfig" && on_start_) on_start_();
    std::unique_lock l(mu_);
    calls_.push_back(method);
    if (method == "ApplyConfig") {
      cv_.wait(l, [&] { return !hold_config_; });
      const std::string version = Json::parse(*config_json).value("version", "");
      const bool upgradeconfigs = std::get<std::string>(options.at("kind")) == "upgradeconfigs";
      (upgradeconfigs ? status_.upgradeconfigs_version : status_.sysconfigs_version) = version;
      return JobEnd{true, Errc::kFailed, ""};
    }
    if (!fail_start_.empty()) return JobEnd{false, Errc::kChecksumMismatch, fail_start_};
    target_ = std::get<std::string>(options.at("version"));
    post_ = options.contains("post-config") ? std::get<std::string>(options.at("post-config")) : "";
    status_.pending_reboot = true;
    return JobEnd{true, Errc::kFailed, ""};
  }

  void Reboot() {
    std::lock_guard l(mu_);
    status_.booted_version = target_;
    status_.pending_reboot = false;
    if (!post_.empty()) status_.sysconfigs_version = Json::parse(post_).value("version", "");
  }
  void HoldConfig(bool hold) {
    {
      std::lock_guard l(mu_);
      hold_config_ = hold;
    }
    cv_.notify_all();
  }
  void OnStart(std::function<void()> f) { on_start_ = std::move(f); }
  // Upgrade and Rollback jobs end failed with |message| (kubeosd refused the image).
  void FailStarts(std::string message) {
    std::lock_guard l(mu_);
    fail_start_ = std::move(message);
  }
  std::vector<std::string> Calls() {
    std::lock_guard l(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  proxy::DaemonStatus status_;
  std::vector<std::string> calls_;
  std::string target_, post_, fail_start_;
  bool hold_config_ = false;
  std::function<void()> on_start_;
};

class ProxyKubeTest : public KubeTest {
 protected:
  void SetUp() override {
    KubeTest::SetUp();
    DeletePods();
    (void)api_->Delete(kPdbs, "default", "web-pdb");
  }
  void TearDown() override {
    for (auto& d : daemons_) d->HoldConfig(false);
    stop_ = true;
    for (auto& t : threads_) t.join();
    DeletePods();
    (void)api_->Delete(kPdbs, "default", "web-pdb");
    KubeTest::TearDown();
  }

  void DeletePods() {
    if (auto l = api_->List(kube::kPods, "default", {})) {
      for (const auto& p : (*l)["items"])
        (void)api_->Delete(kube::kPods, "default", p["metadata"]["name"]);
    }
    WaitUntil(20s, [&] { return PodNames("").empty(); });
  }

  // A pod bound to |node| as the scheduler would; |controller| "" makes it unmanaged.
  void AddPod(const std::string& name,
              const std::string& node,
              const std::string& controller = "ReplicaSet",
              bool empty_dir = false) {
    Json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", name}}}}},
        {"spec",
         {{"nodeName", node},
          {"terminationGracePeriodSeconds", 0},
          {"containers", Json::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
    if (!controller.empty()) {
      pod["metadata"]["ownerReferences"] =
          Json::array({{{"apiVersion", "apps/v1"},
                        {"kind", controller},
                        {"name", name + "-owner"},
                        {"uid", "00000000-0000-0000-0000-000000000001"},
                        {"controller", true}}});
    }
    if (empty_dir) {
      pod["spec"]["volumes"] = Json::array({{{"name", "data"}, {"emptyDir", Json::object()}}});
    }
    auto r = api_->Create(kube::kPods, "default", pod);
    ASSERT_TRUE(r) << r.error().ToString();
    // Running and ready, as its kubelet would say: budgets ignore pending pods.
    auto st = api_->MergePatch(
        kube::kPods, "default", name,
        Json{{"status",
              {{"phase", "Running"},
               {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}}}},
        "status");
    ASSERT_TRUE(st) << st.error().ToString();
  }

  // Names of the pods on |node| ("" = all).
  std::set<std::string> PodNames(const std::string& node) {
    std::set<std::string> out;
    auto l = api_->List(kube::kPods, "default", {});
    if (!l) return {"<list failed>"};
    for (const auto& p : (*l)["items"]) {
      if (node.empty() || p["spec"].value("nodeName", "") == node)
        out.insert(p["metadata"]["name"]);
    }
    return out;
  }

  // A budget for pod |app| that allows |allowed| disruptions; the test plays the disruption
  // controller (there is no controller-manager) by writing its status.
  void Budget(const std::string& app, int allowed) {
    Json pdb = {{"apiVersion", "policy/v1beta1"},
                {"kind", "PodDisruptionBudget"},
                {"metadata", {{"name", "web-pdb"}, {"namespace", "default"}}},
                {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", {{"app", app}}}}}}}};
    auto cur = api_->Get(kPdbs, "default", "web-pdb");
    if (!cur) {
      auto created = api_->Create(kPdbs, "default", pdb);
      ASSERT_TRUE(created) << created.error().ToString();
      cur = created;
    }
    const auto gen = (*cur)["metadata"].value("generation", 1);
    auto r = api_->MergePatch(kPdbs, "default", "web-pdb",
                              Json{{"status",
                                    {{"observedGeneration", gen},
                                     {"disruptionsAllowed", allowed},
                                     {"currentHealthy", 1 + allowed},
                                     {"desiredHealthy", 1},
                                     {"expectedPods", 1 + allowed}}}},
                              "status");
    ASSERT_TRUE(r) << r.error().ToString();
  }

  Json Node(const std::string& name) {
    auto n = api_->Get(kube::kNodes, "", name);
    return n ? *n : Json();
  }
  bool Unschedulable(const std::string& name) {
    return Node(name)["spec"].value("unschedulable", false);
  }
  Json Osi(const std::string& name) {
    auto o = api_->Get(kube::kOSInstances, "default", name);
    return o ? *o : Json();
  }

  // An OS object and the OSInstance the operator would write for an upgrade of |node|.
  void DispatchUpgrade(const std::string& node, const std::string& version, bool force) {
    Json os = {{"apiVersion", "upgrade.openeuler.org/v1alpha1"},
               {"kind", "OS"},
               {"metadata", {{"name", "os1"}, {"namespace", "default"}}},
               {"spec",
                {{"imagetype", "disk"},
                 {"opstype", "upgrade"},
                 {"osversion", version},
                 {"maxunavailable", 1},
                 {"containerimage", ""},
                 {"imageurl", "https://repo.example/kubeos.img"},
                 {"evictpodforce", force},
                 {"checksum", std::string(64, 'a')},
                 {"sysconfigs", {{"version", "s1"}, {"configs", Json::array()}}}}}};
    auto created = api_->Create(kube::kOS, "default", os);
    ASSERT_TRUE(created) << created.error().ToString();
    Json osi = {{"apiVersion", "upgrade.openeuler.org/v1alpha1"},
                {"kind", "OSInstance"},
                {"metadata", {{"name", node}, {"namespace", "default"}}},
                {"spec",
                 {{"nodestatus", "upgrade"},
                  {"namespacedname", {{"name", "os1"}, {"namespace", "default"}}},
                  {"osgeneration", (*created)["metadata"].value("generation", 1)},
                  {"osversion", version},
                  {"sysconfigs", {{"version", "s1"}, {"configs", Json::array()}}}}}};
    auto r = api_->Create(kube::kOSInstances, "default", osi);
    ASSERT_TRUE(r) << r.error().ToString();
  }

  void StartAgent(FakeDaemon& daemon, const std::string& node) {
    agents_.push_back(
        std::make_unique<proxy::Agent>(*api_, daemon, proxy::AgentOptions{node, 60s, 1s}));
    proxy::Agent* a = agents_.back().get();
    threads_.emplace_back([this, a] { a->Run(stop_); });
  }

  FakeDaemon& NewDaemon(const std::string& booted) {
    daemons_.push_back(std::make_unique<FakeDaemon>(booted));
    return *daemons_.back();
  }

  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<FakeDaemon>> daemons_;  // outlive the agents' threads
  std::vector<std::unique_ptr<proxy::Agent>> agents_;
  std::vector<std::thread> threads_;
};

// managed pods are evicted; DaemonSet pods and other nodes' pods stay.
TEST_F(ProxyKubeTest, DrainEvictsManagedPodsAndLeavesDaemonSetPods) {
  AddNode("n1", "KubeOS 1");
  AddNode("n2", "KubeOS 1");
  AddPod("web", "n1");
  AddPod("agent", "n1", "DaemonSet");
  AddPod("elsewhere", "n2");
  proxy::Drainer drainer(*api_, "n1");
  auto r = drainer.Drain({false, 30s, nullptr}, stop_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(PodNames("n1"), std::set<std::string>{"agent"});
  EXPECT_EQ(PodNames("n2"), std::set<std::string>{"elsewhere"});
}

// a PodDisruptionBudget refusal (429) is retried and reported naming the budget; the
// drain ends once the budget allows it.
TEST_F(ProxyKubeTest, BudgetRefusalIsRetriedAndNamedUntilTheBudgetAllowsIt) {
  AddNode("n1", "KubeOS 1");
  AddPod("web", "n1");
  Budget("web", 0);
  std::mutex mu;
  std::vector<std::string> blocked;
  Status result;
  std::atomic<bool> finished{false};
  std::thread t([&] {
    proxy::Drainer drainer(*api_, "n1");
    result = drainer.Drain({false, 120s,
                            [&](const std::string& why) {
                              std::lock_guard l(mu);
                              blocked.push_back(why);
                            }},
                           stop_);
    finished = true;
  });
  EXPECT_TRUE(WaitUntil(30s, [&] {
    std::lock_guard l(mu);
    return !blocked.empty();
  }));
  {
    std::lock_guard l(mu);
    const std::string first = blocked.empty() ? "" : blocked.front();
    EXPECT_NE(first.find("web-pdb"), std::string::npos) << first;
    EXPECT_NE(first.find("429"), std::string::npos) << first;
  }
  EXPECT_FALSE(finished.load());
  EXPECT_EQ(PodNames("n1"), std::set<std::string>{"web"});
  Budget("web", 1);  // relaxed
  EXPECT_TRUE(WaitUntil(60s, [&] { return finished.load(); }));
  t.join();
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  EXPECT_TRUE(PodNames("n1").empty());
}

// a drain that cannot finish fails at its timeout, naming the pods left and the budget.
TEST_F(ProxyKubeTest, DrainTimesOutNamingWhatIsLeftAndWhatBlocks) {
  AddNode("n1", "KubeOS 1");
  AddPod("web", "n1");
  Budget("web", 0);
  proxy::Drainer drainer(*api_, "n1");
  auto r = drainer.Drain({false, 3s, nullptr}, stop_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("default/web"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("web-pdb"), std::string::npos) << r.error().message;
  EXPECT_EQ(PodNames("n1"), std::set<std::string>{"web"});
}

// evictpodforce=false refuses pods that would be lost and names them, touching nothing;
// true deletes the unmanaged pod and evicts the one with emptyDir data.
TEST_F(ProxyKubeTest, PodsThatWouldBeLostNeedEvictPodForce) {
  AddNode("n1", "KubeOS 1");
  AddPod("bare", "n1", "");
  AddPod("cache", "n1", "ReplicaSet", true);
  proxy::Drainer drainer(*api_, "n1");
  auto refused = drainer.Drain({false, 30s, nullptr}, stop_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("default/bare"), std::string::npos);
  EXPECT_NE(refused.error().message.find("default/cache"), std::string::npos);
  EXPECT_EQ(PodNames("n1"), (std::set<std::string>{"bare", "cache"}));
  auto forced = drainer.Drain({true, 30s, nullptr}, stop_);
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_TRUE(PodNames("n1").empty());
}

// the proxy cordons, drains, and only then asks kubeosd to upgrade; after the reboot it
// records the versions, lifts its own cordon and sets nodestatus idle.
TEST_F(ProxyKubeTest, UpgradeCordonsDrainsStartsAndUncordonsAfterTheReboot) {
  AddNode("n1", "KubeOS 1");
  AddPod("web", "n1");
  AddPod("agent", "n1", "DaemonSet");
  FakeDaemon& daemon = NewDaemon("KubeOS 1");
  bool cordoned_at_start = false;
  std::set<std::string> pods_at_start;
  daemon.OnStart([&] {
    cordoned_at_start = Unschedulable("n1");
    pods_at_start = PodNames("n1");
  });
  DispatchUpgrade("n1", "KubeOS 2", false);
  StartAgent(daemon, "n1");
  ASSERT_TRUE(WaitUntil(60s, [&] { return !daemon.Calls().empty(); }));
  EXPECT_EQ(daemon.Calls(), std::vector<std::string>{"Upgrade"});
  EXPECT_TRUE(cordoned_at_start);
  EXPECT_EQ(pods_at_start, std::set<std::string>{"agent"});  // never started undrained
  daemon.Reboot();  // the agent asks kubeosd again every second while a reboot is pending
  ASSERT_TRUE(WaitUntil(30s, [&] { return Osi("n1")["spec"].value("nodestatus", "") == "idle"; }));
  Json osi = Osi("n1");
  EXPECT_EQ(osi["status"].value("phase", ""), "Succeeded");
  EXPECT_EQ(osi["status"]["sysconfigs"].value("version", ""), "s1");
  EXPECT_FALSE(Unschedulable("n1"));
  EXPECT_FALSE(Node("n1")["metadata"]
                   .value("annotations", Json::object())
                   .contains(std::string(proxy::kAnnotationCordoned)));
}

// a failed operation is visible on the OSInstance (phase, message, the Degraded
// condition), and the node is not left cordoned.
TEST_F(ProxyKubeTest, FailedUpgradeIsReportedInStatusAndConditionAndUncordons) {
  AddNode("n1", "KubeOS 1");
  FakeDaemon& daemon = NewDaemon("KubeOS 1");
  daemon.FailStarts("sha256 of the image does not match checksum");
  DispatchUpgrade("n1", "KubeOS 2", false);
  StartAgent(daemon, "n1");
  ASSERT_TRUE(WaitUntil(
      60s, [&] { return Osi("n1").value(Json::json_pointer("/status/phase"), "") == "Failed"; }));
  const Json status = Osi("n1")["status"];
  EXPECT_NE(status.value("message", "").find("does not match checksum"), std::string::npos)
      << status.dump();
  ASSERT_EQ(status["conditions"].size(), 1u) << status.dump();
  const Json& c = status["conditions"][0];
  EXPECT_EQ(c.value("type", ""), "Degraded");
  EXPECT_EQ(c.value("status", ""), "True");
  EXPECT_EQ(c.value("reason", ""), "Failed");
  EXPECT_NE(c.value("message", "").find("does not match checksum"), std::string::npos);
  EXPECT_FALSE(c.value("lastTransitionTime", "").empty());
  EXPECT_TRUE(WaitUntil(10s, [&] { return !Unschedulable("n1"); }));
}

// beyond: a node cordoned before the upgrade stays cordoned after it.
TEST_F(ProxyKubeTest, NodeCordonedBeforeStaysCordoned) {
  AddNode("n1", "KubeOS 1");
  ASSERT_TRUE(
      api_->MergePatch(kube::kNodes, "", "n1", Json{{"spec", {{"unschedulable", true}}}}, ""));
  FakeDaemon& daemon = NewDaemon("KubeOS 1");
  DispatchUpgrade("n1", "KubeOS 2", false);
  StartAgent(daemon, "n1");
  ASSERT_TRUE(WaitUntil(60s, [&] { return !daemon.Calls().empty(); }));
  daemon.Reboot();
  ASSERT_TRUE(WaitUntil(30s, [&] { return Osi("n1")["spec"].value("nodestatus", "") == "idle"; }));
  EXPECT_TRUE(Unschedulable("n1"));
}

// with the real operator and kubectl: opstype config moves NODESTATUS idle → config →
// idle and SYSCONFIG to the new version, as the seed's custom-columns command shows.
TEST_F(ProxyKubeTest, ConfigMovesNodestatusIdleConfigIdleWithVersionsRecorded) {
  AddNode("n1", "KubeOS 1.0.0");
  FakeDaemon& daemon = NewDaemon("KubeOS 1.0.0");
  daemon.HoldConfig(true);
  StartAgent(daemon, "n1");
  StartOperator();
  const std::string columns =
      "get osinstances -o custom-columns='NAME:.metadata.name,NODESTATUS:.spec.nodestatus,"
      "SYSCONFIG:status.sysconfigs.version,UPGRADECONFIG:status.upgradeconfigs.version' "
      "--no-headers";
  ApplySeed("config_v1alpha1_os.yaml");
  std::string out;
  ASSERT_TRUE(WaitUntil(60s, [&] {
    Kubectl(columns, &out);
    return out.find("config") != std::string::npos;
  })) << out;
  EXPECT_NE(out.find("n1"), std::string::npos);
  EXPECT_EQ(out.find("v2"), std::string::npos) << out;  // not applied yet
  daemon.HoldConfig(false);
  ASSERT_TRUE(WaitUntil(60s, [&] {
    Kubectl(columns, &out);
    return out.find("idle") != std::string::npos && out.find("v2") != std::string::npos;
  })) << out;
  EXPECT_EQ(daemon.Calls(), std::vector<std::string>{"ApplyConfig"});
  EXPECT_TRUE(WaitUntil(60s, [&] { return OsCondition("os-sample", "Complete"); }));
}

}  // namespace
}  // namespace kubeos::kubetest

namespace kubeos::kubetest {
namespace {

// the CRDs, the operator's and the proxy's manifests are accepted by the real apiserver
// (server-side dry run: schema, RBAC objects, DaemonSet validation).
TEST_F(KubeTest, DeployManifestsPassServerSideDryRun) {
  const std::string deploy = std::string(KUBEOS_KUBE_TEST_DIR) + "/../../deploy";
  std::string out;
  // A dry run creates nothing, so the namespace the other objects live in must exist.
  Kubectl("create namespace kubeos-system", &out);
  for (const char* dir : {"crds", "operator", "proxy"}) {
    EXPECT_EQ(Kubectl("apply --dry-run=server -f " + deploy + "/" + dir, &out), 0)
        << dir << ": " << out;
  }
  EXPECT_NE(out.find("daemonset.apps/kubeos-proxy"), std::string::npos) << out;
  EXPECT_NE(out.find("clusterrole.rbac.authorization.k8s.io/kubeos-proxy"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace kubeos::kubetest
