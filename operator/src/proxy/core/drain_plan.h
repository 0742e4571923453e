// SPDX-License-Identifier: MulanPSL-2.0
// Which pods a drain evicts, deletes, waits for or leaves alone. Pure; the shell lists
// the node's pods, plans, acts, and plans again until nothing is left.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kubeos::proxy {

struct PodView {
  std::string ns, name, uid;
  std::string controller_kind;  // kind of the controller ownerReference, "" when unmanaged
  bool mirror = false;          // a static pod's mirror (annotation kubernetes.io/config.mirror)
  bool finished = false;        // phase Succeeded or Failed
  bool terminating = false;     // deletionTimestamp set
  bool local_storage = false;   // an emptyDir volume
  [[nodiscard]] std::string Key() const { return ns + "/" + name; }
};

PodView ParsePod(const nlohmann::json& pod);

struct DrainPlan {
  std::vector<PodView> evict;         // through the Eviction API (PodDisruptionBudgets apply)
  std::vector<PodView> remove;        // DELETE: evictpodforce=true on pods that would be lost
  std::vector<PodView> waiting;       // already terminating
  std::vector<PodView> skipped;       // DaemonSet and mirror pods: they stay on the node
  std::vector<std::string> refusals;  // evictpodforce=false: pods that would be lost, and why

  // Nothing left to evict, delete or wait for, and nothing refused.
  [[nodiscard]] bool Done() const {
    return evict.empty() && remove.empty() && waiting.empty() && refusals.empty();
  }
};

// |force| is the OS's evictpodforce. Unmanaged pods (no controller) would be gone for good and
// are refused unless |force|, then deleted. Managed pods with emptyDir data lose it: refused
// unless |force|, then evicted (their controller recreates them; their PDB still applies).
DrainPlan PlanDrain(const std::vector<PodView>& pods, bool force);

}  // namespace kubeos::proxy
