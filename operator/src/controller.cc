// SPDX-License-Identifier: MulanPSL-2.0
#include "controller.h"

#include <algorithm>
#include <ctime>
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

namespace {

const std::string& NameOf(const Json& object) {
  static const std::string kEmpty;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return kEmpty;
  auto name = meta->find("name");
  return name != meta->end() && name->is_string() ? name->get_ref<const std::string&>() : kEmpty;
}

std::uint64_t ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000 +
         static_cast<std::uint64_t>(ts.tv_nsec / 1000);
}

std::uint64_t MicrosSince(std::chrono::steady_clock::time_point t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t)
          .count());
}

}  // namespace

void Controller::RefreshCaches() {
  // The snapshots and the caches are in name order (one namespace each), so one
  // walk pairs them, and an unchanged object in step costs a pointer compare.
  // Objects out of step are parsed again, so the order only matters for speed.
  auto node_snapshot = node_informer_.SharedSnapshot();
  std::vector<NodeObject> nodes;
  std::vector<kube::Informer::Shared> node_sources;
  nodes.reserve(node_snapshot.size());
  node_sources.reserve(node_snapshot.size());
  std::size_t j = 0;
  for (auto& source : node_snapshot) {
    if (j < node_sources_.size() && node_sources_[j] == source) {
      nodes.push_back(std::move(nodes_[j++]));
    } else {
      const std::string& name = NameOf(*source);
      while (j < node_sources_.size() && nodes_[j].name < name) ++j;  // deleted nodes
      if (j < node_sources_.size() && nodes_[j].name == name) ++j;    // replaced below
      nodes.push_back(ParseNode(*source));
    }
    node_sources.push_back(std::move(source));
  }
  nodes_ = std::move(nodes);
  node_sources_ = std::move(node_sources);

  auto osi_snapshot = osi_informer_.SharedSnapshot();
  std::vector<kube::Informer::Shared> osi_sources;
  std::vector<std::string> osi_names;
  osi_sources.reserve(osi_snapshot.size());
  osi_names.reserve(osi_snapshot.size());
  j = 0;
  for (auto& source : osi_snapshot) {
    if (j < osi_sources_.size() && osi_sources_[j] == source) {
      osi_names.push_back(std::move(osi_names_[j++]));
    } else {
      const std::string& name = NameOf(*source);
      while (j < osi_sources_.size() && osi_names_[j] < name) osis_.erase(osi_names_[j++]);
      if (j < osi_sources_.size() && osi_names_[j] == name) ++j;  // replaced here
      osis_.insert_or_assign(name, ParseOsInstance(*source));
      osi_names.push_back(name);
    }
    osi_sources.push_back(std::move(source));
  }
  for (; j < osi_sources_.size(); ++j) osis_.erase(osi_names_[j]);  // deleted OSInstances
  if (!std::is_sorted(osi_names.begin(), osi_names.end()) || osis_.size() != osi_names.size()) {
    // Not in name order after all: the walk may have dropped entries; rebuild.
    osis_.clear();
    for (const auto& source : osi_sources) {
      auto o = ParseOsInstance(*source);
      osis_.emplace(o.name, std::move(o));
    }
  }
  osi_sources_ = std::move(osi_sources);
  osi_names_ = std::move(osi_names);
}

std::chrono::steady_clock::duration Controller::Pass() {
  // The pass proper: pure computation over the caches, no API calls.
  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t cpu_started = ThreadCpuMicros();
  std::vector<OsObject> all_os;
  for (const auto& j : os_informer_.SharedSnapshot()) all_os.push_back(ParseOs(*j));
  RefreshCaches();
  const auto conflicts = FindConflicts(all_os, nodes_);
  const auto now_utc = std::chrono::system_clock::now();
  const Now now{now_utc, ToLocal(now_utc)};
  std::vector<Plan> plans;
  plans.reserve(all_os.size());
  for (const auto& os : all_os) {
    plans.push_back(Reconcile(os, nodes_, osis_, conflicts, now, options_.reconcile));
  }
  const auto orphans = OrphanedOsInstances(nodes_, osis_);
  const std::uint64_t pass_micros = MicrosSince(started);
  const std::uint64_t pass_cpu_micros = ThreadCpuMicros() - cpu_started;
  metrics_.last_pass_micros = pass_micros;
  if (pass_micros > metrics_.max_pass_micros) metrics_.max_pass_micros = pass_micros;
  if (pass_cpu_micros > metrics_.max_pass_cpu_micros)
    metrics_.max_pass_cpu_micros = pass_cpu_micros;
  for (std::size_t i = 0; i < ControllerMetrics::kPassBuckets.size(); ++i) {
    if (static_cast<double>(pass_micros) <= ControllerMetrics::kPassBuckets[i] * 1e6)
      ++metrics_.pass_buckets[i];
  }
  metrics_.pass_micros_sum += pass_micros;
  ++metrics_.passes;

  // Then the writes it decided.
  const auto writes_started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration wait = options_.resync;
  bool retry_soon = false;
  for (std::size_t i = 0; i < all_os.size(); ++i) {
    Execute(all_os[i], plans[i], retry_soon);
    if (plans[i].requeue_after)
      wait = std::min<std::chrono::steady_clock::duration>(wait, *plans[i].requeue_after);
  }
  DeleteOrphans(orphans);
  metrics_.last_writes_micros = MicrosSince(writes_started);
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
      if (auto current = osi_informer_.Get(std::string(kOSInstanceNamespace), d.node)) {
        patch["metadata"]["resourceVersion"] = (*current)["metadata"]["resourceVersion"];
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

void Controller::DeleteOrphans(const std::vector<std::string>& names) {
  // As upstream: the OSInstance of a deleted node goes too.
  for (const auto& name : names) {
    ++metrics_.writes;
    if (auto r = api_.Delete(kube::kOSInstances, std::string(kOSInstanceNamespace), name);
        r || r.error().NotFound()) {
      osi_informer_.Erase(std::string(kOSInstanceNamespace), name);
      log::Info("deleted the OSInstance of removed node " + name);
    }
  }
}

}  // namespace kubeos::op
