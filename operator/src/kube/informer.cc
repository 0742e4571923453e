// SPDX-License-Identifier: MulanPSL-2.0
#include "kube/informer.h"

#include <chrono>
#include <thread>

#include "base/log.h"

namespace kubeos::kube {
namespace {

std::string Key(const Json& o) {
  const auto& m = o["metadata"];
  return m.value("namespace", "") + "/" + m.value("name", "");
}

// resourceVersions are opaque, but etcd's are integers; used only to order our
// own writes against watch events.
long long RvNumber(const Json& o) {
  try {
    return std::stoll(o["metadata"].value("resourceVersion", "0"));
  } catch (...) {
    return 0;
  }
}

}  // namespace

void SleepUnlessStopped(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  auto end = std::chrono::steady_clock::now() + d;
  while (!stop.load() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Informer::Informer(KubeApi& api, Resource resource, std::string ns, std::function<void()> on_change)
    : api_(api),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      on_change_(std::move(on_change)) {}

std::vector<Json> Informer::Snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<Json> out;
  out.reserve(objects_.size());
  for (const auto& [k, v] : objects_) out.push_back(*v);
  return out;
}

std::vector<Informer::Shared> Informer::SharedSnapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<Shared> out;
  out.reserve(objects_.size());
  for (const auto& [k, v] : objects_) out.push_back(v);
  return out;
}

Informer::Shared Informer::Get(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(ns + "/" + name);
  return it == objects_.end() ? nullptr : it->second;
}

void Informer::Store(const Json& object) {
  auto& slot = objects_[Key(object)];
  if (!slot || RvNumber(object) >= RvNumber(*slot)) slot = std::make_shared<const Json>(object);
}

void Informer::Upsert(const Json& object) {
  std::lock_guard lock(mutex_);
  Store(object);
}

void Informer::Erase(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  objects_.erase(ns + "/" + name);
}

void Informer::Run(const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(200);
  while (!stop.load()) {
    ListOptions list_options;
    list_options.field_selector = field_selector_;
    auto list = api_.List(resource_, ns_, list_options);
    if (!list) {
      log::Warning("list " + resource_.plural + ": " + list.error().ToString());
      SleepUnlessStopped(backoff, stop);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(200);
    {
      std::lock_guard lock(mutex_);
      objects_.clear();
      for (auto& item : (*list)["items"]) {
        std::string key = Key(item);  // before |item| is moved from
        objects_[std::move(key)] = std::make_shared<const Json>(std::move(item));
      }
      resource_version_ = (*list)["metadata"].value("resourceVersion", "");
    }
    synced_ = true;
    on_change_();
    while (!stop.load() && WatchOnce(stop)) {
    }
    if (!stop.load()) {
      ++relists_;
      log::Info("relisting " + resource_.plural + ": resourceVersion expired");
    }
  }
}

bool Informer::WatchOnce(const std::atomic<bool>& stop) {
  WatchOptions options;
  options.field_selector = field_selector_;
  {
    std::lock_guard lock(mutex_);
    options.resource_version = resource_version_;
  }
  bool expired = false;
  auto on_event = [&](const WatchEvent& ev) {
    if (ev.type == "ERROR") {
      auto e = ErrorFromStatus(200, ev.object);
      expired = e.Gone();
      if (!expired) log::Warning("watch " + resource_.plural + ": " + e.ToString());
      return false;
    }
    const std::string rv = ev.object["metadata"].value("resourceVersion", "");
    {
      std::lock_guard lock(mutex_);
      if (ev.type == "ADDED" || ev.type == "MODIFIED") {
        Store(ev.object);
      } else if (ev.type == "DELETED") {
        objects_.erase(Key(ev.object));
      }
      if (!rv.empty()) resource_version_ = rv;
    }
    if (ev.type != "BOOKMARK") on_change_();
    return true;
  };
  auto r = api_.Watch(resource_, ns_, options, on_event, stop);
  if (!r) {
    if (r.error().Gone()) return false;
    log::Warning("watch " + resource_.plural + ": " + r.error().ToString());
    SleepUnlessStopped(std::chrono::milliseconds(500), stop);
  }
  return !expired;
}

}  // namespace kubeos::kube
