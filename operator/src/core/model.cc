// SPDX-License-Identifier: MulanPSL-2.0
#include "core/model.h"

namespace kubeos::op {
namespace {

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::int64_t Int(const Json& j, const char* key, std::int64_t fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

// The member, or null; a reference into |j|, so parsing copies only what it keeps.
const Json& Member(const Json& j, const char* key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

}  // namespace

std::string ConfigVersion(const Json& block) { return Str(block, "version"); }

OsObject ParseOs(const Json& j) {
  OsObject o;
  const Json& meta = Member(j, "metadata");
  const Json& spec = Member(j, "spec");
  o.ns = Str(meta, "namespace");
  o.name = Str(meta, "name");
  o.uid = Str(meta, "uid");
  o.creation = Str(meta, "creationTimestamp");
  o.generation = Int(meta, "generation", 0);
  o.opstype = Str(spec, "opstype");
  o.osversion = Str(spec, "osversion");
  if (auto m = Str(spec, "executionmode"); !m.empty()) o.executionmode = m;
  if (spec.is_object() && spec.contains("nodeselector") && spec["nodeselector"].is_string()) {
    o.nodeselector = spec["nodeselector"].get<std::string>();
  }
  o.maxunavailable = static_cast<int>(Int(spec, "maxunavailable", 1));
  o.timeinterval = static_cast<int>(Int(spec, "timeinterval", 15));
  const Json& tw = Member(spec, "timewindow");
  o.window = TimeWindow{Str(tw, "starttime"), Str(tw, "endtime")};
  o.sysconfigs = Member(spec, "sysconfigs");
  o.upgradeconfigs = Member(spec, "upgradeconfigs");
  o.status = Member(j, "status");
  return o;
}

NodeObject ParseNode(const Json& j) {
  NodeObject n;
  const Json& meta = Member(j, "metadata");
  n.name = Str(meta, "name");
  if (const Json& labels = Member(meta, "labels"); labels.is_object()) {
    for (const auto& [k, v] : labels.items())
      n.labels[k] = v.is_string() ? v.get<std::string>() : "";
  }
  n.os_image = Str(Member(Member(j, "status"), "nodeInfo"), "osImage");
  return n;
}

OsInstanceObject ParseOsInstance(const Json& j) {
  OsInstanceObject o;
  const Json& meta = Member(j, "metadata");
  const Json& spec = Member(j, "spec");
  const Json& status = Member(j, "status");
  o.name = Str(meta, "name");
  o.generation = Int(meta, "generation", 0);
  if (auto s = Str(spec, "nodestatus"); !s.empty()) o.nodestatus = s;
  const Json& owner = Member(spec, "namespacedname");
  o.owner_ns = Str(owner, "namespace");
  o.owner_name = Str(owner, "name");
  o.owner_generation = Int(spec, "osgeneration", 0);
  o.has_spec_sysconfigs = !Member(spec, "sysconfigs").is_null();
  o.has_spec_upgradeconfigs = !Member(spec, "upgradeconfigs").is_null();
  o.spec_sysconfigs_version = ConfigVersion(Member(spec, "sysconfigs"));
  o.spec_upgradeconfigs_version = ConfigVersion(Member(spec, "upgradeconfigs"));
  o.status_sysconfigs_version = ConfigVersion(Member(status, "sysconfigs"));
  o.status_upgradeconfigs_version = ConfigVersion(Member(status, "upgradeconfigs"));
  o.phase = Str(status, "phase");
  o.status_observed_generation = Int(status, "observedGeneration", 0);
  o.spec = spec;
  return o;
}

}  // namespace kubeos::op
