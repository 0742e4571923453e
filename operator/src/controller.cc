// SPDX-License-Identifier: MulanPSL-2.0
#include "controller.h"

#include <ctime>
#include <set>
#include <thread>

#include "base/log.h"
#include "core/selection.h"

namespace kubeos::op {

using kube::Json;

LocalTime ToLocal(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return LocalTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

Controller::Controller(kube::KubeApi& api,
                       ControllerOptions options,
                       std::function<bool()> is_leader)
    : api_(api),
      options_(options),
      is_leader_(std::move(is_leader)),
      os_informer_(api, kube::kOS, "", [this] { Poke(); }),
      node_informer_(api, kube::kNodes, "", [this] { Poke(); }),
      osi_informer_(
          api, kube::kOSInstances, std::string(kOSInstanceNamespace), [this] { Poke(); }) {}

void Controller::Poke() {
  {
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_one();
}

std::uint64_t Controller::Relists() const {
  return os_informer_.Relists() + node_informer_.Relists() + osi_informer_.Relists();
}

bool Controller::Synced() const {
  return os_informer_.Synced() && node_informer_.Synced() && osi_informer_.Synced();
}

void Controller::Run(const std::atomic<bool>& stop) {
  std::thread t1([&] { os_informer_.Run(stop); });
  std::thread t2([&] { node_informer_.Run(stop); });
  std::thread t3([&] { osi_informer_.Run(stop); });
  auto next = std::chrono::steady_clock::now();
  while (!stop.load()) {
    {
      std::unique_lock lock(mutex_);
      // Wake on a change, on the next timed pass, or every 200 ms to notice
      // |stop|.
      wake_.wait_until(
          lock, std::min(next, std::chrono::steady_clock::now() + std::chrono::milliseconds(200)),
          [&] { return dirty_ || stop.load(); });
      if (!dirty_ && std::chrono::steady_clock::now() < next) continue;
      dirty_ = false;
    }
    if (stop.load()) break;
    if (!Synced() || !is_leader_()) {
      next = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
      continue;
    }
    next = std::chrono::steady_clock::now() + Pass();
  }
  t1.join();
  t2.join();
  t3.join();
}

std::chrono::steady_clock::duration Controller::Pass() {
  const auto started = std::chrono::steady_clock::now();
  std::vector<OsObject> all_os;
  for (const auto& j : os_informer_.Snapshot()) all_os.push_back(ParseOs(j));
  std::vector<NodeObject> nodes;
  for (const auto& j : node_informer_.Snapshot()) nodes.push_back(ParseNode(j));
  std::map<std::string, OsInstanceObject> osis;
  for (const auto& j : osi_informer_.Snapshot()) {
    auto o = ParseOsInstance(j);
    osis.emplace(o.name, std::move(o));
  }
  const auto conflicts = FindConflicts(all_os, nodes);
  const auto now_utc = std::chrono::system_clock::now();
  const Now now{now_utc, ToLocal(now_utc)};

  std::chrono::steady_clock::duration wait = options_.resync;
  bool retry_soon = false;
  for (const auto& os : all_os) {
    Plan plan = Reconcile(os, nodes, osis, conflicts, now, options_.reconcile);
    Execute(os, plan, retry_soon);
    if (plan.requeue_after)
      wait = std::min<std::chrono::steady_clock::duration>(wait, *plan.requeue_after);
  }
  CleanUpOrphans(nodes, osis);
  ++metrics_.passes;
  metrics_.last_pass_micros =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count());
  if (retry_soon)
    wait = std::min<std::chrono::steady_clock::duration>(wait, std::chrono::seconds(1));
  return wait;
}

void Controller::Execute(const OsObject& os, const Plan& plan, bool& retry_soon) {
  for (const auto& d : plan.dispatches) {
    kube::KubeResult<Json> r;
    if (d.create) {
      ++metrics_.writes;
      r = api_.Create(kube::kOSInstances, std::string(kOSInstanceNamespace), d.object);
    } else {
      // The cached resourceVersion guards against clobbering a concurrent
      // writer (the proxy): on 409 the watch brings the fresh object and the
      // next pass decides again.
      Json patch = d.object;
      for (const auto& j : osi_informer_.Snapshot()) {
        if (j["metadata"].value("name", "") == d.node) {
          patch["metadata"]["resourceVersion"] = j["metadata"]["resourceVersion"];
        }
      }
      ++metrics_.writes;
      r = api_.MergePatch(kube::kOSInstances, std::string(kOSInstanceNamespace), d.node, patch);
    }
    if (!r) {
      ++metrics_.write_errors;
      retry_soon = true;
      log::Warning("dispatch to node " + d.node + " for OS " + os.Key() + ": " +
                   r.error().ToString());
      // Without the dispatch the status and Events of this plan would lie: try
      // again next pass.
      return;
    }
    osi_informer_.Upsert(*r);
    ++metrics_.dispatches;
    log::Info("dispatched " + os.opstype + " to node " + d.node,
              {{"OS", os.Key()}, {"NODE", d.node}, {"VERSION", os.osversion}});
  }
  for (const auto& e : plan.events) {
    if (e.reason == "Completed") ++metrics_.completions;
    if (e.reason == "Failed") ++metrics_.failures;
    Emit(os, e);
  }
  if (plan.status != os.status) {
    ++metrics_.writes;
    auto r = api_.MergePatch(kube::kOS, os.ns, os.name, Json{{"status", plan.status}}, "status");
    if (!r) {
      ++metrics_.write_errors;
      retry_soon = true;
      log::Warning("status of OS " + os.Key() + ": " + r.error().ToString());
      return;
    }
    os_informer_.Upsert(*r);
  }
}

void Controller::Emit(const OsObject& os, const EventOut& event) {
  const std::string now = FormatTime(std::chrono::system_clock::now());
  Json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"generateName", os.name + "."}, {"namespace", os.ns}}},
             {"involvedObject",
              {{"apiVersion", "upgrade.openeuler.org/v1alpha1"},
               {"kind", "OS"},
               {"name", os.name},
               {"namespace", os.ns},
               {"uid", os.uid}}},
             {"reason", event.reason},
             {"message", event.message},
             {"type", event.type},
             {"source", {{"component", "kubeos-operator"}}},
             {"firstTimestamp", now},
             {"lastTimestamp", now},
             {"count", 1}};
  ++metrics_.writes;
  if (auto r = api_.Create(kube::kEvents, os.ns, ev); !r) {
    log::Warning("event " + event.reason + " for OS " + os.Key() + ": " + r.error().ToString());
  }
  log::Log(event.type == "Warning" ? LOG_WARNING : LOG_INFO, event.message,
           {{"OS", os.Key()}, {"REASON", event.reason}});
}

void Controller::CleanUpOrphans(const std::vector<NodeObject>& nodes,
                                const std::map<std::string, OsInstanceObject>& osinstances) {
  // As upstream: the OSInstance of a deleted node goes too.
  std::set<std::string> names;
  for (const auto& n : nodes) names.insert(n.name);
  for (const auto& [name, osi] : osinstances) {
    if (names.contains(name)) continue;
    ++metrics_.writes;
    if (auto r = api_.Delete(kube::kOSInstances, std::string(kOSInstanceNamespace), name);
        r || r.error().NotFound()) {
      osi_informer_.Erase(std::string(kOSInstanceNamespace), name);
      log::Info("deleted the OSInstance of removed node " + name);
    }
  }
}

}  // namespace kubeos::op
