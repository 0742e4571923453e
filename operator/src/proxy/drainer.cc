// SPDX-License-Identifier: MulanPSL-2.0
#include "proxy/drainer.h"

#include "base/log.h"
#include "kube/informer.h"

namespace kubeos::proxy {
namespace {

using kube::Json;

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

std::string Drainer::Evict(const PodView& pod) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const Json body = {{"apiVersion", eviction_version_},
                       {"kind", "Eviction"},
                       {"metadata", {{"name", pod.name}, {"namespace", pod.ns}}}};
    auto r = api_.CreateSubresource(kube::kPods, pod.ns, pod.name, "eviction", body);
    if (r) return "";
    const auto& e = r.error();
    if (e.http_status == 429) return "pod " + pod.Key() + ": " + e.ToString();
    if (e.NotFound() && e.message.find("pods \"") != std::string::npos) return "";  // gone
    // A server without policy/v1 evictions (before 1.22) refuses the body's version.
    if (attempt == 0 && eviction_version_ == "policy/v1" && e.http_status != 0 &&
        e.http_status != 403 && e.http_status != 500) {
      log::Info("eviction with policy/v1 refused (" + e.ToString() + "); using policy/v1beta1");
      eviction_version_ = "policy/v1beta1";
      continue;
    }
    return "pod " + pod.Key() + ": eviction: " + e.ToString();
  }
  return "pod " + pod.Key() + ": eviction refused";
}

Status Drainer::Drain(const DrainOptions& options, const std::atomic<bool>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  auto pause = std::chrono::milliseconds(500);
  for (;;) {
    kube::ListOptions list;
    list.field_selector = "spec.nodeName=" + node_;
    auto pods = api_.List(kube::kPods, "", list);
    if (!pods) return Fail(Errc::kFailed, "drain: list pods: " + pods.error().ToString());
    std::vector<PodView> views;
    for (const auto& p : (*pods)["items"]) views.push_back(ParsePod(p));
    const DrainPlan plan = PlanDrain(views, options.force);
    if (!plan.refusals.empty()) {
      return Fail(Errc::kFailed, "drain of node " + node_ + " refused: " + Join(plan.refusals));
    }
    if (plan.Done()) {
      log::Info("node " + node_ + " drained (" + std::to_string(plan.skipped.size()) +
                " DaemonSet or mirror pods stay)");
      return {};
    }
    std::vector<std::string> blocked;
    for (const auto& p : plan.evict) {
      if (auto why = Evict(p); !why.empty()) blocked.push_back(why);
    }
    for (const auto& p : plan.remove) {
      log::Warning("deleting pod " + p.Key() + " (evictpodforce: it is not managed)");
      if (auto r = api_.Delete(kube::kPods, p.ns, p.name); !r && !r.error().NotFound()) {
        blocked.push_back("pod " + p.Key() + ": delete: " + r.error().ToString());
      }
    }
    if (!blocked.empty()) {
      log::Warning("drain of node " + node_ + " blocked: " + Join(blocked));
      if (options.on_blocked) options.on_blocked(Join(blocked));
    }
    if (std::chrono::steady_clock::now() >= deadline || stop.load()) {
      std::vector<std::string> left;
      for (const auto* group : {&plan.evict, &plan.remove, &plan.waiting}) {
        for (const auto& p : *group) left.push_back(p.Key());
      }
      std::string msg = "drain of node " + node_ + " timed out after " +
                        std::to_string(options.timeout.count()) + " s; pods left: ";
      for (std::size_t i = 0; i < left.size(); ++i) msg += (i ? ", " : "") + left[i];
      if (!blocked.empty()) msg += "; " + Join(blocked);
      return Fail(Errc::kFailed, msg);
    }
    // Blocked: back off up to 10 s; otherwise look again soon for the pods to be gone.
    pause = blocked.empty() ? std::chrono::milliseconds(500)
                            : std::min(pause * 2, std::chrono::milliseconds(10'000));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    kube::SleepUnlessStopped(std::min(pause, std::max(left, std::chrono::milliseconds(0))), stop);
  }
}

}  // namespace kubeos::proxy
