// SPDX-License-Identifier: MulanPSL-2.0
// kubeos-proxy: composition root (flags, kubeconfig, the kubeosd client on the system bus, the
// agent loop). One per node, as a DaemonSet pod (deploy/proxy/).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "base/log.h"
#include "kube/curl_kube_api.h"
#include "kube/kubeconfig.h"
#include "proxy/agent.h"
#include "proxy/dbus_node_daemon.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  using namespace kubeos;
  CLI::App app{
      "kubeos-proxy: runs this node's upgrades, rollbacks and configs from its OSInstance "
      "through kubeosd"};
  std::string kubeconfig;
  const char* env_node = std::getenv("NODE_NAME");
  std::string node = env_node != nullptr ? env_node : "";
  int drain_timeout = 600, recheck = 5;
  bool verbose = false;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig file (default: $KUBECONFIG, in-cluster)");
  app.add_option("--node-name", node, "this node's name (default: $NODE_NAME)");
  app.add_option("--drain-timeout", drain_timeout, "seconds a drain may take before it is retried")
      ->check(CLI::PositiveNumber);
  app.add_option("--daemon-recheck", recheck,
                 "seconds between looks at kubeosd while it is busy or about to reboot")
      ->check(CLI::PositiveNumber);
  app.add_flag("-v,--verbose", verbose);
  CLI11_PARSE(app, argc, argv);

  log::Init("kubeos-proxy");
  if (verbose) log::SetMaxPriority(LOG_DEBUG);
  if (node.empty()) {
    log::Err("no node name: set NODE_NAME (the downward API's spec.nodeName) or --node-name");
    return 2;
  }
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  auto config = kube::LoadDefaultConfig(kubeconfig);
  if (!config) {
    log::Err("load kubeconfig: " + config.error().message);
    return 1;
  }
  kube::CurlKubeApi api(*config);
  proxy::DbusNodeDaemon daemon;  // $DBUS_SYSTEM_BUS_ADDRESS picks another bus (tests)
  proxy::Agent agent(api, daemon,
                     {node, std::chrono::seconds(drain_timeout), std::chrono::seconds(recheck)});
  log::Info("kubeos-proxy started", {{"NODE", node}});
  agent.Run(g_stop);
  log::Info("kubeos-proxy stopped");
  return 0;
}
