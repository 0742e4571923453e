// SPDX-License-Identifier: MulanPSL-2.0
#include "node_simulator.h"

namespace kubeos::kubetest {

using namespace std::chrono_literals;

bool WaitUntil(std::chrono::milliseconds timeout, const std::function<bool()>& pred) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return pred();
}

NodeSimulator::NodeSimulator(kube::KubeApi& api, std::chrono::milliseconds work)
    : api_(api),
      work_(work),
      informer_(api, kube::kOSInstances, "default", [this] { OnChange(); }) {
  watch_thread_ = std::thread([this] { informer_.Run(stop_); });
  work_thread_ = std::thread([this] { Work(); });
  WaitUntil(10s, [this] { return informer_.Synced(); });
}

NodeSimulator::~NodeSimulator() {
  stop_ = true;
  watch_thread_.join();
  work_thread_.join();
}

std::map<std::string, int> NodeSimulator::DispatchCounts() {
  std::lock_guard l(mutex_);
  std::map<std::string, int> out;
  for (const auto& d : dispatches_) ++out[d.node];
  return out;
}

void NodeSimulator::OnChange() {
  std::lock_guard l(mutex_);
  int busy = 0;
  for (const auto& shared : informer_.SharedSnapshot()) {
    const Json& osi = *shared;
    const auto& spec = osi["spec"];
    const std::string status = spec.value("nodestatus", "idle");
    const long long gen = osi["metadata"].value("generation", 0LL);
    const bool failed = osi.contains("status") && osi["status"].value("phase", "") == "Failed" &&
                        osi["status"].value("observedGeneration", 0LL) == gen;
    if (status == "idle" || failed) continue;
    ++busy;
    const std::string name = osi["metadata"]["name"];
    if (seen_.insert({name, gen}).second) {
      const Json owner = spec.value("namespacedname", Json::object());
      dispatches_.push_back({name, status, spec.value("osversion", ""), owner.value("name", "")});
      due_.emplace_back(std::chrono::steady_clock::now() + work_, osi);
    }
  }
  max_busy_ = std::max(max_busy_, busy);
}

bool NodeSimulator::Finish(const Json& osi) {
  const std::string name = osi["metadata"]["name"];
  const Json& spec = osi["spec"];
  bool fail;
  {
    std::lock_guard l(mutex_);
    fail = fail_.contains(name);
  }
  const long long gen = osi["metadata"].value("generation", 0LL);
  if (fail) {
    return api_
        .MergePatch(kube::kOSInstances, "default", name,
                    Json{{"status",
                          {{"phase", "Failed"},
                           {"observedGeneration", gen},
                           {"message", "simulated failure"}}}},
                    "status")
        .has_value();
  }
  if (spec.value("nodestatus", "") != "config") {
    auto r = api_.MergePatch(
        kube::kNodes, "", name,
        Json{{"status", {{"nodeInfo", {{"osImage", spec.value("osversion", "")}}}}}}, "status");
    if (!r) return false;
  }
  auto idle = api_.MergePatch(kube::kOSInstances, "default", name,
                              Json{{"spec", {{"nodestatus", "idle"}}}});
  if (!idle) return false;
  Json status = {{"phase", "Succeeded"},
                 {"observedGeneration", (*idle)["metadata"].value("generation", gen)},
                 {"sysconfigs", spec.value("sysconfigs", Json())},
                 {"upgradeconfigs", spec.value("upgradeconfigs", Json())}};
  return api_.MergePatch(kube::kOSInstances, "default", name, Json{{"status", status}}, "status")
      .has_value();
}

void NodeSimulator::Work() {
  while (!stop_.load()) {
    std::vector<Json> ready;
    {
      std::lock_guard l(mutex_);
      const auto now = std::chrono::steady_clock::now();
      for (auto it = due_.begin(); it != due_.end();) {
        if (it->first <= now) {
          ready.push_back(it->second);
          it = due_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const Json& osi : ready) {
      if (!Finish(osi)) {  // the apiserver may be restarting: try again shortly
        std::lock_guard l(mutex_);
        due_.emplace_back(std::chrono::steady_clock::now() + 200ms, osi);
      }
    }
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace kubeos::kubetest
