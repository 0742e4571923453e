// SPDX-License-Identifier: MulanPSL-2.0
// The operator's loop: keeps OS, Node and OSInstance caches current, runs the
// pure Reconcile for every OS on each change or timer, and writes the resulting
// dispatches, status and Events.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "core/reconcile.h"
#include "kube/informer.h"
#include "kube/kube_api.h"

namespace kubeos::op {

struct ControllerOptions {
  ReconcileOptions reconcile;
  std::chrono::seconds resync{30};
};

struct ControllerMetrics {
  std::atomic<std::uint64_t> passes{0};
  std::atomic<std::uint64_t> dispatches{0};
  std::atomic<std::uint64_t> completions{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> write_errors{0};
  std::atomic<std::uint64_t> writes{0};  // API writes sent (creates, patches, deletes)
  std::atomic<std::uint64_t> last_pass_micros{0};
};

class Controller {
 public:
  // |is_leader| gates all writes; the caches are kept warm either way so a new
  // leader acts at once.
  Controller(kube::KubeApi& api, ControllerOptions options, std::function<bool()> is_leader);

  // Runs the informers and the loop until |stop|.
  void Run(const std::atomic<bool>& stop);
  // Wakes the loop (a watched object changed or leadership changed).
  void Poke();

  [[nodiscard]] const ControllerMetrics& Metrics() const { return metrics_; }
  [[nodiscard]] std::uint64_t Relists() const;
  [[nodiscard]] bool Synced() const;

 private:
  // One reconcile pass over all OS objects; returns when the next timed pass is
  // due.
  std::chrono::steady_clock::duration Pass();
  void Execute(const OsObject& os, const Plan& plan, bool& retry_soon);
  void CleanUpOrphans(const std::vector<NodeObject>& nodes,
                      const std::map<std::string, OsInstanceObject>& osinstances);
  void Emit(const OsObject& os, const EventOut& event);

  kube::KubeApi& api_;
  ControllerOptions options_;
  std::function<bool()> is_leader_;
  kube::Informer os_informer_, node_informer_, osi_informer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool dirty_ = true;
  ControllerMetrics metrics_;
};

// The instant |t| as wall-clock time in the process's time zone (TZ).
LocalTime ToLocal(std::chrono::system_clock::time_point t);

}  // namespace kubeos::op
