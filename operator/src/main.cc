// SPDX-License-Identifier: MulanPSL-2.0
// kubeos-operator: composition root (flags, kubeconfig, leader election,
// controller, metrics).
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "base/log.h"
#include "controller.h"
#include "http_endpoint.h"
#include "kube/curl_kube_api.h"
#include "kube/kubeconfig.h"
#include "kube/leader_election.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  using namespace kubeos;
  CLI::App app{
      "kubeos-operator: schedules OS upgrades, rollbacks and configs "
      "over worker nodes"};
  std::string kubeconfig, time_zone, metrics_address = "127.0.0.1:8080";
  std::string lease_namespace = "kube-system", lease_name = "kubeos-operator", identity;
  int failure_budget = 2, serial_gap = 15, lease_seconds = 15, resync = 30;
  bool leader_elect = false, verbose = false;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig file (default: $KUBECONFIG, in-cluster)");
  app.add_option("--time-zone", time_zone,
                 "time zone of OS time windows, e.g. Asia/Shanghai (default: TZ / local)");
  app.add_option("--failure-budget", failure_budget, "failed nodes that halt a rollout")
      ->check(CLI::PositiveNumber);
  app.add_option("--serial-gap", serial_gap, "seconds between the nodes of a serial batch")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--metrics-address", metrics_address,
                 "host:port of /metrics and /healthz; empty disables");
  app.add_flag("--leader-elect", leader_elect, "elect one active replica through a Lease");
  app.add_option("--lease-namespace", lease_namespace);
  app.add_option("--lease-name", lease_name);
  app.add_option("--lease-duration", lease_seconds)->check(CLI::PositiveNumber);
  app.add_option("--identity", identity, "leader election identity (default: hostname_pid)");
  app.add_option("--resync", resync, "seconds between full passes without changes")
      ->check(CLI::PositiveNumber);
  app.add_flag("-v,--verbose", verbose);
  CLI11_PARSE(app, argc, argv);

  log::Init("kubeos-operator");
  if (verbose) log::SetMaxPriority(LOG_DEBUG);
  if (!time_zone.empty()) setenv("TZ", time_zone.c_str(), 1);
  tzset();
  if (identity.empty()) {
    char host[256] = "operator";
    gethostname(host, sizeof host - 1);
    identity = std::string(host) + "_" + std::to_string(getpid());
  }
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);

  auto config = kube::LoadDefaultConfig(kubeconfig);
  if (!config) {
    log::Err("load kubeconfig: " + config.error().message);
    return 1;
  }
  kube::CurlKubeApi api(*config);

  kube::LeaderElector elector(
      api, {lease_namespace, lease_name, identity, std::chrono::seconds(lease_seconds),
            std::chrono::seconds(std::max(1, lease_seconds / 4))});
  op::ControllerOptions options;
  options.reconcile.failure_budget = failure_budget;
  options.reconcile.serial_gap = std::chrono::seconds(serial_gap);
  options.resync = std::chrono::seconds(resync);
  op::Controller controller(api, options, [&] { return !leader_elect || elector.IsLeader(); });

  std::vector<std::thread> threads;
  if (leader_elect) {
    threads.emplace_back([&] {
      bool was = false;
      std::thread renew([&] { elector.Run(g_stop); });
      while (!g_stop.load()) {
        if (elector.IsLeader() != was) {
          was = elector.IsLeader();
          controller.Poke();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      renew.join();
    });
  }
  if (!metrics_address.empty()) {
    auto endpoint = op::HttpEndpoint::Listen(metrics_address, [&](const std::string& path) {
      if (path == "/healthz") {
        return controller.Synced() ? op::HttpReply{200, "text/plain", "ok\n"}
                                   : op::HttpReply{503, "text/plain", "caches not synced\n"};
      }
      if (path != "/metrics") return op::HttpReply{404, "text/plain", "not found\n"};
      const auto& m = controller.Metrics();
      std::string b;
      auto add = [&](const char* name, const char* type, const char* help, double v) {
        b += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
             name + " " + std::to_string(v) + "\n";
      };
      add("kubeos_operator_reconcile_passes_total", "counter", "Reconcile passes.",
          static_cast<double>(m.passes));
      add("kubeos_operator_dispatches_total", "counter", "OSInstance dispatches written.",
          static_cast<double>(m.dispatches));
      add("kubeos_operator_completions_total", "counter", "Node operations seen completed.",
          static_cast<double>(m.completions));
      add("kubeos_operator_failures_total", "counter", "Node operations seen failed.",
          static_cast<double>(m.failures));
      add("kubeos_operator_api_writes_total", "counter", "API writes sent.",
          static_cast<double>(m.writes));
      add("kubeos_operator_write_errors_total", "counter", "Failed API writes.",
          static_cast<double>(m.write_errors));
      add("kubeos_operator_api_requests_total", "counter", "API requests sent.",
          static_cast<double>(api.RequestCount()));
      add("kubeos_operator_relists_total", "counter", "Relists after an expired watch.",
          static_cast<double>(controller.Relists()));
      add("kubeos_operator_last_pass_seconds", "gauge",
          "Duration of the last reconcile pass (computation over the caches).",
          static_cast<double>(m.last_pass_micros) / 1e6);
      add("kubeos_operator_max_pass_seconds", "gauge", "Longest reconcile pass so far.",
          static_cast<double>(m.max_pass_micros) / 1e6);
      add("kubeos_operator_max_pass_cpu_seconds", "gauge",
          "Most CPU time one reconcile pass used so far.",
          static_cast<double>(m.max_pass_cpu_micros) / 1e6);
      b += "# HELP kubeos_operator_pass_seconds Reconcile pass durations.\n"
           "# TYPE kubeos_operator_pass_seconds histogram\n";
      for (std::size_t i = 0; i < m.kPassBuckets.size(); ++i) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", m.kPassBuckets[i]);
        b += std::string("kubeos_operator_pass_seconds_bucket{le=\"") + le + "\"} " +
             std::to_string(m.pass_buckets[i].load()) + "\n";
      }
      b += "kubeos_operator_pass_seconds_bucket{le=\"+Inf\"} " + std::to_string(m.passes.load()) +
           "\nkubeos_operator_pass_seconds_sum " +
           std::to_string(static_cast<double>(m.pass_micros_sum) / 1e6) +
           "\nkubeos_operator_pass_seconds_count " + std::to_string(m.passes.load()) + "\n";
      add("kubeos_operator_last_writes_seconds", "gauge",
          "Duration of the API writes that followed the last pass.",
          static_cast<double>(m.last_writes_micros) / 1e6);
      add("kubeos_operator_leader", "gauge", "1 when this replica acts.",
          (!leader_elect || elector.IsLeader()) ? 1.0 : 0.0);
      return op::HttpReply{200, "text/plain; version=0.0.4", b};
    });
    if (!endpoint) {
      log::Err("metrics endpoint: " + endpoint.error().message);
      g_stop = true;
      for (auto& t : threads) t.join();
      return 1;
    }
    log::Info("serving /metrics and /healthz on port " + std::to_string(endpoint->Port()));
    threads.emplace_back([ep = std::move(*endpoint)]() mutable { ep.Serve(g_stop); });
  }
  log::Info("kubeos-operator started", {{"IDENTITY", identity}});
  controller.Run(g_stop);
  for (auto& t : threads) t.join();
  log::Info("kubeos-operator stopped");
  return 0;
}
