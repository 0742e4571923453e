// SPDX-License-Identifier: MulanPSL-2.0
// Drains one node through the Eviction API: plans with PlanDrain, evicts (policy/v1,
// falling back to policy/v1beta1 on servers without it), deletes what evictpodforce allows,
// retries PodDisruptionBudget refusals (429) with backoff, and returns only when no pod is left
// or fails at the timeout, naming what is left and what blocks it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "base/error.h"
#include "kube/kube_api.h"
#include "proxy/core/drain_plan.h"

namespace kubeos::proxy {

struct DrainOptions {
  bool force = false;  // the OS's evictpodforce
  std::chrono::seconds timeout{600};
  // Told about every round that left pods blocked (a PDB refusal names its budget).
  std::function<void(const std::string&)> on_blocked;
};

class Drainer {
 public:
  Drainer(kube::KubeApi& api, std::string node) : api_(api), node_(std::move(node)) {}

  // Ok once every pod but DaemonSet and mirror pods is gone; never earlier.
  Status Drain(const DrainOptions& options, const std::atomic<bool>& stop);

 private:
  // "" when accepted (or the pod is already gone), else why not.
  std::string Evict(const PodView& pod);

  kube::KubeApi& api_;
  std::string node_;
  std::string eviction_version_ = "policy/v1";
};

}  // namespace kubeos::proxy
