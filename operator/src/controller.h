// SPDX-License-Identifier: MulanPSL-2.0
// The operator's loop: keeps OS, Node and OSInstance caches current, runs the
// pure Reconcile for every OS on each change or timer, and writes the resulting
// dispatches, status and Events.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

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
  // A pass is the computation over the caches (what to write); the writes it
  // decided follow it and are timed on their own.
  std::atomic<std::uint64_t> last_pass_micros{0};
  std::atomic<std::uint64_t> max_pass_micros{0};
  std::atomic<std::uint64_t> max_pass_cpu_micros{0};  // CPU time of the loop thread
  // Histogram of pass durations (wall clock): passes at most kPassBuckets[i]
  // seconds long, cumulative as Prometheus wants; pass_seconds_sum in µs.
  static constexpr std::array<double, 6> kPassBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25};
  std::array<std::atomic<std::uint64_t>, kPassBuckets.size()> pass_buckets{};
  std::atomic<std::uint64_t> pass_micros_sum{0};
  std::atomic<std::uint64_t> last_writes_micros{0};
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
  // One reconcile pass over all OS objects, then its writes; returns when the
  // next timed pass is due.
  std::chrono::steady_clock::duration Pass();
  // Brings nodes_ and osis_ up to the informers, parsing only changed objects.
  void RefreshCaches();
  void Execute(const OsObject& os, const Plan& plan, bool& retry_soon);
  void DeleteOrphans(const std::vector<std::string>& names);
  void Emit(const OsObject& os, const EventOut& event);

  kube::KubeApi& api_;
  ControllerOptions options_;
  std::function<bool()> is_leader_;
  kube::Informer os_informer_, node_informer_, osi_informer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool dirty_ = true;
  ControllerMetrics metrics_;
  // Parsed views of the Node and OSInstance caches (loop thread only), with the
  // cached object each was parsed from: an object the informer did not replace
  // keeps its pointer and is not parsed again.
  std::vector<NodeObject> nodes_;
  std::vector<kube::Informer::Shared> node_sources_;  // parallel to nodes_
  std::map<std::string, OsInstanceObject> osis_;
  std::vector<kube::Informer::Shared> osi_sources_;  // in snapshot order
  std::vector<std::string> osi_names_;               // parallel to osi_sources_
};

// The instant |t| as wall-clock time in the process's time zone (TZ).
LocalTime ToLocal(std::chrono::system_clock::time_point t);

}  // namespace kubeos::op
