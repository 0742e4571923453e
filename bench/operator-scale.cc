// SPDX-License-Identifier: MulanPSL-2.0
// Scale benchmark (not a test): N Node objects, one OS rollout played by the node simulator;
// reports API writes per node, idle QPS, reconcile-pass time and operator RSS.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "kube/curl_kube_api.h"
#include "node_simulator.h"

using namespace std::chrono_literals;
using kubeos::kube::Json;
namespace kube = kubeos::kube;

namespace {

double Metric(int port, const std::string& name) {
  std::string cmd = "curl -sf http://127.0.0.1:" + std::to_string(port) + "/metrics";
  FILE* p = popen(cmd.c_str(), "r");
  std::string text;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  pclose(p);
  auto pos = text.find("\n" + name + " ");
  return pos == std::string::npos ? -1 : std::atof(text.c_str() + pos + name.size() + 2);
}

long RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const int nodes = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int max_unavailable = argc > 2 ? std::atoi(argv[2]) : 500;
  const char* dir_env = std::getenv("KUBEOS_CLUSTER_DIR");
  const std::string dir = dir_env != nullptr ? dir_env : "/tmp/kubeos-cluster";
  auto config = kube::LoadKubeConfig(dir + "/kubeconfig");
  if (!config) {
    std::cerr << "cluster not up: " << config.error().message << "\n";
    return 1;
  }
  kube::CurlKubeApi api(*config);
  (void)api.Delete(kube::kOS, "default", "scale");

  // Leftovers of an earlier run: every OSInstance (they would carry the old
  // OS's dispatches) and the nodes beyond |nodes|.
  std::vector<std::pair<kube::Resource, std::string>> stale;
  if (auto l = api.List(kube::kOSInstances, "default", {})) {
    for (const auto& o : (*l)["items"])
      stale.emplace_back(kube::kOSInstances, o["metadata"]["name"]);
  }
  if (auto l = api.List(kube::kNodes, "", {})) {
    for (const auto& o : (*l)["items"]) {
      const std::string name = o["metadata"]["name"];
      if (name.rfind("scale-", 0) == 0 && std::atoi(name.c_str() + 6) >= nodes)
        stale.emplace_back(kube::kNodes, name);
    }
  }
  constexpr int kWorkers = 8;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      kube::CurlKubeApi own(*config);
      for (std::size_t i = w; i < stale.size(); i += kWorkers) {
        const auto& [resource, name] = stale[i];
        (void)own.Delete(resource, resource.namespaced ? "default" : "", name);
      }
    });
  }
  for (auto& t : workers) t.join();
  workers.clear();
  if (!stale.empty()) {
    std::cout << "deleted " << stale.size() << " leftover objects in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
              << " s\n";
  }

  t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> creators;
  for (int w = 0; w < kWorkers; ++w) {
    creators.emplace_back([&, w] {
      kube::CurlKubeApi own(*config);
      for (int i = w; i < nodes; i += kWorkers) {
        const std::string name = "scale-" + std::to_string(i);
        (void)own.Create(kube::kNodes, "", Json{{"metadata", {{"name", name}}}});
        (void)own.MergePatch(kube::kNodes, "", name,
                             Json{{"status", {{"nodeInfo", {{"osImage", "v1"}}}}}}, "status");
      }
    });
  }
  for (auto& t : creators) t.join();
  std::cout << "created " << nodes << " nodes in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s\n";

  const int port = 18961;
  // KUBEOS_OPERATOR: another build of the operator to measure (e.g. an older one).
  const char* op_env = std::getenv("KUBEOS_OPERATOR");
  const char* binary = op_env != nullptr ? op_env : KUBEOS_OPERATOR_BINARY;
  pid_t op = fork();
  if (op == 0) {
    execl(binary, binary, "--kubeconfig", (dir + "/kubeconfig").c_str(), "--metrics-address",
          "127.0.0.1:18961", nullptr);
    _exit(127);
  }
  kubeos::kubetest::NodeSimulator sim(api, 200ms);
  kubeos::kubetest::WaitUntil(
      120s, [&] { return Metric(port, "kubeos_operator_reconcile_passes_total") >= 0; });
  Json os = {{"apiVersion", "upgrade.openeuler.org/v1alpha1"},
             {"kind", "OS"},
             {"metadata", {{"name", "scale"}, {"namespace", "default"}}},
             {"spec",
              {{"imagetype", "containerd"},
               {"opstype", "upgrade"},
               {"osversion", "v2"},
               {"maxunavailable", max_unavailable},
               {"containerimage", "r/kubeos:v2"},
               {"evictpodforce", true},
               {"checksum", ""},
               {"timeinterval", 0}}}};
  auto t1 = std::chrono::steady_clock::now();
  (void)api.Create(kube::kOS, "default", os);
  bool done = kubeos::kubetest::WaitUntil(1800s, [&] {
    auto o = api.Get(kube::kOS, "default", "scale");
    return o && (*o).contains("status") && (*o)["status"].value("updated", 0) == nodes;
  });
  const double rollout =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const double writes = Metric(port, "kubeos_operator_api_writes_total");
  const double pass = Metric(port, "kubeos_operator_last_pass_seconds");
  const double max_pass = Metric(port, "kubeos_operator_max_pass_seconds");
  const double passes = Metric(port, "kubeos_operator_reconcile_passes_total");
  const double max_pass_cpu = Metric(port, "kubeos_operator_max_pass_cpu_seconds");
  const double within_50ms = Metric(port, "kubeos_operator_pass_seconds_bucket{le=\"0.05\"}");
  const double req0 = Metric(port, "kubeos_operator_api_requests_total");
  std::this_thread::sleep_for(30s);
  const double req1 = Metric(port, "kubeos_operator_api_requests_total");
  std::cout << "rollout " << (done ? "complete" : "INCOMPLETE") << " in " << rollout << " s\n"
            << "api writes per node: " << writes / nodes << "\n"
            << "idle requests per second: " << (req1 - req0) / 30.0 << "\n"
            << "reconcile passes: " << passes << "\n"
            << "last reconcile pass: " << pass * 1000 << " ms\n"
            << "longest reconcile pass: " << max_pass * 1000 << " ms (CPU: " << max_pass_cpu * 1000
            << " ms)\n"
            << "passes within 50 ms: " << within_50ms << " of " << passes << "\n"
            << "operator RSS: " << RssKb(op) / 1024 << " MiB\n"
            << "max nodes busy at once: " << sim.MaxBusy() << " (maxunavailable " << max_unavailable
            << ")\n";
  kill(op, SIGTERM);
  waitpid(op, nullptr, 0);
  return done ? 0 : 1;
}
