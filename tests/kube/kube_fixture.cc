// SPDX-License-Identifier: MulanPSL-2.0
#include "kube_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace kubeos::kubetest {

using namespace std::chrono_literals;

void KubeTest::SetUp() {
  const char* dir = std::getenv("KUBEOS_CLUSTER_DIR");
  cluster_dir_ = dir != nullptr ? dir : "/tmp/kubeos-cluster";
  auto config = kube::LoadKubeConfig(cluster_dir_ + "/kubeconfig");
  ASSERT_TRUE(config) << "cluster not up (tests/kube/cluster up): " << config.error().message;
  api_ = std::make_unique<kube::CurlKubeApi>(*config);
  Clean();
}

void KubeTest::TearDown() {
  for (pid_t p : operators_) StopOperator(p);
  operators_.clear();
}

void KubeTest::Clean() {
  for (const auto* r : {&kube::kOS, &kube::kOSInstances}) {
    auto list = api_->List(*r, "default", {});
    ASSERT_TRUE(list) << list.error().ToString();
    for (const auto& o : (*list)["items"]) (void)api_->Delete(*r, "default", o["metadata"]["name"]);
  }
  auto nodes = api_->List(kube::kNodes, "", {});
  ASSERT_TRUE(nodes) << nodes.error().ToString();
  for (const auto& o : (*nodes)["items"])
    (void)api_->Delete(kube::kNodes, "", o["metadata"]["name"]);
  (void)api_->Delete(kube::kLeases, "default", "kubeos-operator");
  if (auto events = api_->List(kube::kEvents, "default", {})) {
    for (const auto& e : (*events)["items"])
      (void)api_->Delete(kube::kEvents, "default", e["metadata"]["name"]);
  }
  ASSERT_TRUE(WaitUntil(20s, [&] {
    for (const auto* r : {&kube::kOS, &kube::kOSInstances, &kube::kNodes}) {
      auto l = api_->List(*r, r->namespaced ? "default" : "", {});
      if (!l || !(*l)["items"].empty()) return false;
    }
    return true;
  }));
}

void KubeTest::AddNode(const std::string& name,
                       const std::string& os_image,
                       std::map<std::string, std::string> labels) {
  Json node = {
      {"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}, {"labels", labels}}}};
  ASSERT_TRUE(api_->Create(kube::kNodes, "", node));
  auto r = api_->MergePatch(kube::kNodes, "", name,
                            Json{{"status", {{"nodeInfo", {{"osImage", os_image}}}}}}, "status");
  ASSERT_TRUE(r) << r.error().ToString();
}

std::string KubeTest::NodeImage(const std::string& name) {
  auto n = api_->Get(kube::kNodes, "", name);
  if (!n) return "";
  return (*n)["status"]["nodeInfo"].value("osImage", "");
}

pid_t KubeTest::StartOperator(std::vector<std::string> args) {
  std::vector<std::string> argv = {KUBEOS_OPERATOR_BINARY,
                                   "--kubeconfig",
                                   cluster_dir_ + "/kubeconfig",
                                   "--serial-gap",
                                   "1",
                                   "--resync",
                                   "3"};
  if (std::find(args.begin(), args.end(), "--metrics-address") == args.end()) {
    argv.insert(argv.end(), {"--metrics-address", ""});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string log = cluster_dir_ + "/operator-" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
                          std::to_string(operators_.size()) + ".log";
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  operators_.push_back(pid);
  return pid;
}

void KubeTest::StopOperator(pid_t pid) {
  if (kill(pid, SIGTERM) != 0) return;
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) return;
    std::this_thread::sleep_for(100ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

int KubeTest::Kubectl(const std::string& args, std::string* out) {
  const std::string cmd = "HOME=" + cluster_dir_ + "/home KUBECONFIG=" + cluster_dir_ +
                          "/kubeconfig /usr/bin/kubectl " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  std::string text;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) text.append(buf.data(), n);
  int rc = pclose(p);
  if (out != nullptr) *out = text;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

Json KubeTest::Os(const std::string& name) {
  auto r = api_->Get(kube::kOS, "default", name);
  return r ? *r : Json();
}

bool KubeTest::OsCondition(const std::string& name, const std::string& type) {
  Json os = Os(name);
  if (!os.contains("status") || !os["status"].contains("conditions")) return false;
  for (const auto& c : os["status"]["conditions"]) {
    if (c["type"] == type) return c["status"] == "True";
  }
  return false;
}

std::vector<Json> KubeTest::Events(const std::string& reason) {
  std::vector<Json> out;
  auto l = api_->List(kube::kEvents, "default", {});
  if (!l) return out;
  for (const auto& e : (*l)["items"]) {
    if (e.value("reason", "") == reason) out.push_back(e);
  }
  return out;
}

std::string KubeTest::ApplySeed(const std::string& file) {
  std::string out;
  const std::string path = std::string(KUBEOS_SEED_DIR) + "/" + file;
  EXPECT_EQ(Kubectl("apply -f " + path, &out), 0) << out;
  return out;
}

}  // namespace kubeos::kubetest
