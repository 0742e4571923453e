// SPDX-License-Identifier: MulanPSL-2.0
#include "kube/kube_api.h"

namespace kubeos::kube {

std::string KubeError::ToString() const {
  std::string s = http_status == 0 ? "transport error" : "HTTP " + std::to_string(http_status);
  if (!reason.empty()) s += " " + reason;
  if (!message.empty()) s += ": " + message;
  return s;
}

KubeResult<Json> KubeApi::CreateSubresource(const Resource& r,
                                            const std::string&,
                                            const std::string& name,
                                            const std::string& subresource,
                                            const Json&) {
  return std::unexpected(
      KubeError{0, "", "POST " + r.plural + "/" + name + "/" + subresource + ": not supported"});
}

KubeError ErrorFromStatus(int http_status, const Json& body) {
  KubeError e{http_status, "", ""};
  if (body.is_object() && body.value("kind", "") == "Status") {
    e.reason = body.value("reason", "");
    e.message = body.value("message", "");
    // The causes say who refused, e.g. which PodDisruptionBudget blocks an eviction.
    const Json details = body.value("details", Json::object());
    if (details.is_object() && details.contains("causes") && details["causes"].is_array()) {
      for (const auto& c : details["causes"]) {
        if (!c.is_object() || !c.contains("message") || !c["message"].is_string()) continue;
        const std::string cause = c["message"].get<std::string>();
        if (e.message.find(cause) == std::string::npos) e.message += " (" + cause + ")";
      }
    }
    if (body.contains("code") && body["code"].is_number_integer() && http_status == 200) {
      e.http_status = body["code"].get<int>();  // an ERROR event inside a 200 watch stream
    }
  } else if (!body.is_null()) {
    e.message = body.dump().substr(0, 300);
  }
  return e;
}

KubeResult<Json> PatchWithRetry(KubeApi& api,
                                const Resource& r,
                                const std::string& ns,
                                const std::string& name,
                                const std::function<Json(const Json& current)>& mutate,
                                const std::string& subresource,
                                int attempts) {
  KubeError last;
  for (int i = 0; i < attempts; ++i) {
    auto current = api.Get(r, ns, name);
    if (!current) return current;
    Json patch = mutate(*current);
    if (patch.is_null()) return current;
    patch["metadata"]["resourceVersion"] = (*current)["metadata"]["resourceVersion"];
    auto patched = api.MergePatch(r, ns, name, patch, subresource);
    if (patched || !patched.error().Conflict()) return patched;
    last = patched.error();
  }
  return std::unexpected(last);
}

}  // namespace kubeos::kube
