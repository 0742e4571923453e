// SPDX-License-Identifier: MulanPSL-2.0
// Lease-based leader election (coordination.k8s.io/v1): one operator replica
// acts at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "kube/kube_api.h"

namespace kubeos::kube {

struct LeaderElectionConfig {
  std::string lease_namespace = "kube-system";
  std::string lease_name = "kubeos-operator";
  std::string identity;
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds retry_period{2};
};

class LeaderElector {
 public:
  LeaderElector(KubeApi& api, LeaderElectionConfig config);

  // One attempt to acquire or renew; returns whether we hold the lease now. A
  // 409 (another replica wrote first) simply means "not this time".
  bool TryAcquireOrRenew();
  // Loops TryAcquireOrRenew every retry period until |stop|, keeping IsLeader()
  // current.
  void Run(const std::atomic<bool>& stop);
  [[nodiscard]] bool IsLeader() const { return leader_.load(); }

 private:
  KubeApi& api_;
  LeaderElectionConfig config_;
  std::atomic<bool> leader_{false};
  std::chrono::steady_clock::time_point last_renew_{};
};

}  // namespace kubeos::kube
