// SPDX-License-Identifier: MulanPSL-2.0
#include "proxy/core/node_view.h"

namespace kubeos::proxy {
namespace {

const Json& Member(const Json& j, const char* key) {
  static const Json kNull;
  if (!j.is_object() || !j.contains(key)) return kNull;
  return j[key];
}

std::string Str(const Json& j, const char* key) {
  const Json& v = Member(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace

NodeView ParseNodeView(const Json& node) {
  NodeView n;
  const Json& meta = Member(node, "metadata");
  n.name = Str(meta, "name");
  n.resource_version = Str(meta, "resourceVersion");
  const Json& unsched = Member(Member(node, "spec"), "unschedulable");
  n.unschedulable = unsched.is_boolean() && unsched.get<bool>();
  n.os_image = Str(Member(Member(node, "status"), "nodeInfo"), "osImage");
  const Json& ann = Member(meta, "annotations");
  n.cordoned_by_proxy = ann.is_object() && ann.contains(kAnnotationCordoned);
  n.started = Str(ann, std::string(kAnnotationStarted).c_str());
  return n;
}

}  // namespace kubeos::proxy
