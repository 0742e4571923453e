// SPDX-License-Identifier: MulanPSL-2.0
// Keeps a local copy of one resource in sync: list, then watch from the list's
// resourceVersion, resume after a dropped stream, relist when the version
// expired (HTTP 410 or an ERROR event).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kube/kube_api.h"

namespace kubeos::kube {

class Informer {
 public:
  Informer(KubeApi& api, Resource resource, std::string ns, std::function<void()> on_change);

  // Narrows the list and watch to objects matching |field_selector| (e.g. "metadata.name=n1");
  // call before Run.
  void SetFieldSelector(std::string field_selector) { field_selector_ = std::move(field_selector); }

  // Runs until |stop|; call from its own thread.
  void Run(const std::atomic<bool>& stop);

  [[nodiscard]] std::vector<Json> Snapshot() const;
  // The cached objects without copying them: an unchanged object keeps its
  // pointer from one call to the next, so callers can reuse what they derived
  // from it. Ordered by "namespace/name".
  using Shared = std::shared_ptr<const Json>;
  [[nodiscard]] std::vector<Shared> SharedSnapshot() const;
  // One cached object, or null.
  [[nodiscard]] Shared Get(const std::string& ns, const std::string& name) const;
  [[nodiscard]] bool Synced() const { return synced_.load(); }
  [[nodiscard]] std::uint64_t Relists() const { return relists_.load(); }
  // Write-through of an object the caller just wrote, so the next pass sees its
  // own writes even before the watch delivers them. Older versions never
  // replace newer ones.
  void Upsert(const Json& object);
  void Erase(const std::string& ns, const std::string& name);

 private:
  bool WatchOnce(const std::atomic<bool>& stop);  // false when a relist is needed

  KubeApi& api_;
  Resource resource_;
  std::string ns_;
  std::string field_selector_;
  std::function<void()> on_change_;
  mutable std::mutex mutex_;
  // Replaces the object under its key unless the cached one is newer.
  void Store(const Json& object);

  std::map<std::string, Shared> objects_;  // "ns/name" → object
  std::string resource_version_;
  std::atomic<bool> synced_{false};
  std::atomic<std::uint64_t> relists_{0};
};

// Sleeps up to |d| but returns early once |stop| is set.
void SleepUnlessStopped(std::chrono::milliseconds d, const std::atomic<bool>& stop);

}  // namespace kubeos::kube
