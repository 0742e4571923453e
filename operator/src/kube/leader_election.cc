// SPDX-License-Identifier: MulanPSL-2.0
#include "kube/leader_election.h"

#include <ctime>

#include "base/log.h"
#include "kube/informer.h"

namespace kubeos::kube {
namespace {

std::string MicroTimeNow() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()) %
                std::chrono::seconds(1);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%06ldZ", buf, static_cast<long>(micros.count()));
  return out;
}

std::time_t ParseTime(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return timegm(&tm);
}

}  // namespace

LeaderElector::LeaderElector(KubeApi& api, LeaderElectionConfig config)
    : api_(api), config_(std::move(config)) {}

bool LeaderElector::TryAcquireOrRenew() {
  const auto duration = static_cast<int>(config_.lease_duration.count());
  Json spec = {{"holderIdentity", config_.identity},
               {"leaseDurationSeconds", duration},
               {"renewTime", MicroTimeNow()}};
  auto current = api_.Get(kLeases, config_.lease_namespace, config_.lease_name);
  if (!current) {
    if (!current.error().NotFound()) return leader_ = false;
    spec["acquireTime"] = spec["renewTime"];
    Json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
        {"spec", spec}};
    return leader_ = api_.Create(kLeases, config_.lease_namespace, lease).has_value();
  }
  const Json& cur = (*current)["spec"];
  const std::string holder = cur.value("holderIdentity", "");
  if (holder != config_.identity) {
    // Someone else's lease: take it only when it expired. Its renewTime is
    // judged by our clock (second resolution), as client-go does after
    // observing it.
    const std::time_t renew = ParseTime(cur.value("renewTime", ""));
    const int their_duration = cur.value("leaseDurationSeconds", duration);
    if (!holder.empty() && std::time(nullptr) < renew + their_duration) return leader_ = false;
    spec["acquireTime"] = spec["renewTime"];
    spec["leaseTransitions"] = cur.value("leaseTransitions", 0) + 1;
  }
  Json patch = {{"metadata", {{"resourceVersion", (*current)["metadata"]["resourceVersion"]}}},
                {"spec", spec}};
  auto r = api_.MergePatch(kLeases, config_.lease_namespace, config_.lease_name, patch);
  return leader_ = r.has_value();
}

void LeaderElector::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const bool was = leader_.load();
    const bool is = TryAcquireOrRenew();
    if (is != was) {
      log::Notice(is ? "became leader" : "lost leadership",
                  {{"LEASE", config_.lease_namespace + "/" + config_.lease_name}});
    }
    SleepUnlessStopped(config_.retry_period, stop);
  }
  // Step down so that the other replica takes over at once.
  if (leader_.load()) {
    Json patch = {{"spec", {{"holderIdentity", nullptr}}}};
    (void)api_.MergePatch(kLeases, config_.lease_namespace, config_.lease_name, patch);
    leader_ = false;
  }
}

}  // namespace kubeos::kube
