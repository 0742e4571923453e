// SPDX-License-Identifier: MulanPSL-2.0
// A node simulator for the kube tests and the scale bench: plays the proxy's part on OSInstances.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/informer.h"
#include "kube/kube_api.h"

namespace kubeos::kubetest {

using kube::Json;

// Polls |pred| every 100 ms until it holds or |timeout| passes.
bool WaitUntil(std::chrono::milliseconds timeout, const std::function<bool()>& pred);

// Plays the node side: watches OSInstances and, for every new dispatch, after
// |work| marks it done (node osImage = spec.osversion for upgrade/rollback,
// status = spec configs, nodestatus idle) or failed (nodes in |fail|). Records
// every dispatch and the largest number of nodes busy at once, checked at every
// watch event.
class NodeSimulator {
 public:
  struct DispatchRecord {
    std::string node, nodestatus, osversion, owner;
  };
  NodeSimulator(kube::KubeApi& api, std::chrono::milliseconds work);
  ~NodeSimulator();

  void Fail(const std::string& node) {
    std::lock_guard l(mutex_);
    fail_.insert(node);
  }
  void ClearFailures() {
    std::lock_guard l(mutex_);
    fail_.clear();
  }
  int MaxBusy() {
    std::lock_guard l(mutex_);
    return max_busy_;
  }
  std::vector<DispatchRecord> Dispatches() {
    std::lock_guard l(mutex_);
    return dispatches_;
  }
  std::map<std::string, int> DispatchCounts();

 private:
  void OnChange();
  void Work();
  bool Finish(const Json& osi);  // false when a write failed

  kube::KubeApi& api_;
  std::chrono::milliseconds work_;
  std::atomic<bool> stop_{false};
  kube::Informer informer_;
  std::mutex mutex_;
  std::set<std::string> fail_;
  std::set<std::pair<std::string, long long>> seen_;  // (node, generation) already handled
  std::vector<std::pair<std::chrono::steady_clock::time_point, Json>> due_;
  std::vector<DispatchRecord> dispatches_;
  int max_busy_ = 0;
  std::thread watch_thread_, work_thread_;
};

}  // namespace kubeos::kubetest
