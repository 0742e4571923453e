// SPDX-License-Identifier: MulanPSL-2.0
// Shared pieces of the kube tests: the running test cluster (tests/kube/cluster
// up), kubectl, operator processes, and a node simulator that plays the proxy's
// part.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/curl_kube_api.h"
#include "kube/informer.h"

namespace kubeos::kubetest {

using kube::Json;

// Polls |pred| every 100 ms until it holds or |timeout| passes.
bool WaitUntil(std::chrono::milliseconds timeout, const std::function<bool()> &pred);

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
  NodeSimulator(kube::KubeApi &api, std::chrono::milliseconds work);
  ~NodeSimulator();

  void Fail(const std::string &node) {
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
  bool Finish(const Json &osi);  // false when a write failed

  kube::KubeApi &api_;
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

class KubeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Deletes every OS, OSInstance, Node and the operator Lease, and waits until
  // they are gone.
  void Clean();
  void AddNode(const std::string &name, const std::string &os_image,
               std::map<std::string, std::string> labels = {});
  std::string NodeImage(const std::string &name);
  // Starts kubeos-operator with |args| added; returns its pid. Logs go to the
  // cluster dir.
  pid_t StartOperator(std::vector<std::string> args = {});
  void StopOperator(pid_t pid);
  // Runs kubectl with the test kubeconfig and a private HOME; returns exit
  // code, fills |out|.
  int Kubectl(const std::string &args, std::string *out = nullptr);
  Json Os(const std::string &name);
  bool OsCondition(const std::string &name, const std::string &type);
  std::vector<Json> Events(const std::string &reason);
  std::string ApplySeed(const std::string &file);  // path of tests/kube/seed/<file>

  std::string cluster_dir_;
  std::unique_ptr<kube::CurlKubeApi> api_;
  std::vector<pid_t> operators_;
};

}  // namespace kubeos::kubetest
