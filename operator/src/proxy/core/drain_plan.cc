// SPDX-License-Identifier: MulanPSL-2.0
#include "proxy/core/drain_plan.h"

namespace kubeos::proxy {

using Json = nlohmann::json;

PodView ParsePod(const Json& pod) {
  PodView p;
  const Json meta = pod.value("metadata", Json::object());
  p.ns = meta.value("namespace", "");
  p.name = meta.value("name", "");
  p.uid = meta.value("uid", "");
  if (auto owners = meta.value("ownerReferences", Json::array()); owners.is_array()) {
    for (const auto& o : owners) {
      if (o.value("controller", false)) p.controller_kind = o.value("kind", "");
    }
  }
  const Json ann = meta.value("annotations", Json::object());
  p.mirror = ann.is_object() && ann.contains("kubernetes.io/config.mirror");
  p.terminating = meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
  const std::string phase = pod.value("status", Json::object()).value("phase", "");
  p.finished = phase == "Succeeded" || phase == "Failed";
  const Json spec = pod.value("spec", Json::object());
  if (auto volumes = spec.value("volumes", Json::array()); volumes.is_array()) {
    for (const auto& v : volumes) {
      if (v.contains("emptyDir")) p.local_storage = true;
    }
  }
  return p;
}

DrainPlan PlanDrain(const std::vector<PodView>& pods, bool force) {
  DrainPlan plan;
  for (const auto& p : pods) {
    if (p.mirror || p.controller_kind == "DaemonSet") {
      plan.skipped.push_back(p);
    } else if (p.terminating) {
      plan.waiting.push_back(p);
    } else if (p.finished) {
      plan.evict.push_back(p);  // nothing runs any more; no budget counts it
    } else if (p.controller_kind.empty()) {
      if (force) {
        plan.remove.push_back(p);
      } else {
        plan.refusals.push_back("pod " + p.Key() +
                                " is not managed by a controller and would be lost "
                                "(set evictpodforce: true to delete it)");
      }
    } else if (p.local_storage && !force) {
      plan.refusals.push_back("pod " + p.Key() +
                              " has local storage (emptyDir) whose data would be lost "
                              "(set evictpodforce: true to evict it)");
    } else {
      plan.evict.push_back(p);
    }
  }
  return plan;
}

}  // namespace kubeos::proxy
