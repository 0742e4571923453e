// SPDX-License-Identifier: MulanPSL-2.0
// Typed views of the objects the operator reads (OS, Node, OSInstance), decoded
// from API JSON.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time_window.h"

namespace kubeos::op {

using Json = nlohmann::json;

inline constexpr std::string_view kLabelNodeSelector = "upgrade.openeuler.org/node-selector";
inline constexpr std::string_view kLabelControlPlane = "node-role.kubernetes.io/control-plane";
inline constexpr std::string_view kLabelMaster = "node-role.kubernetes.io/master";
inline constexpr std::string_view kLabelOSInstanceNode = "upgrade.openeuler.org/osinstance-node";
inline constexpr std::string_view kOSInstanceNamespace = "default";

struct OsObject {
  std::string ns, name, uid, creation;
  std::int64_t generation = 0;
  std::string opstype, osversion, executionmode = "parallel";
  std::optional<std::string> nodeselector;  // nullopt when unset
  int maxunavailable = 1;
  int timeinterval = 15;
  TimeWindow window;
  Json sysconfigs, upgradeconfigs;  // null when absent
  Json status;                      // the whole status object (may be null)

  [[nodiscard]] std::string Key() const { return ns + "/" + name; }
};

struct NodeObject {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string os_image;
};

struct OsInstanceObject {
  std::string name;
  std::int64_t generation = 0;
  std::string nodestatus = "idle";
  std::string owner_ns, owner_name;   // spec.namespacedname
  std::int64_t owner_generation = 0;  // spec.osgeneration
  std::string spec_sysconfigs_version, spec_upgradeconfigs_version;
  bool has_spec_sysconfigs = false, has_spec_upgradeconfigs = false;
  std::string status_sysconfigs_version, status_upgradeconfigs_version;
  std::string phase;
  std::int64_t status_observed_generation = 0;
  Json spec;  // raw spec, for building patches
};

OsObject ParseOs(const Json& j);
NodeObject ParseNode(const Json& j);
OsInstanceObject ParseOsInstance(const Json& j);

// "version" of a sysconfigs block; absent and "" are both "" (seed: an empty
// version is a value).
std::string ConfigVersion(const Json& block);

}  // namespace kubeos::op
