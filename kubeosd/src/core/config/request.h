// SPDX-License-Identifier: MulanPSL-2.0
// A node configuration request (the CR's sysconfigs/upgradeconfigs), parsed and fully validated.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace kubeos::core::config {

enum class Model {
  kSysctl,         // kernel.sysctl: runtime value under /proc/sys
  kSysctlPersist,  // kernel.sysctl.persist: /etc/sysctl.conf (or configpath)
  kGrubCurrent,    // grub.cmdline.current: the booted slot's menu entry
  kGrubNext,       // grub.cmdline.next: the other slot's menu entry
  kKubelet,        // kubernetes.kubelet: kubelet config YAML
  kContainerd,     // container.containerd: containerd config TOML
  kPamLimits,      // pam.limits: /etc/security/limits.conf
};

// "kernel.sysctl", "grub.cmdline.next", …: the name used in requests and logs.
[[nodiscard]] std::string_view ModelName(Model model);

enum class Operation { kUpdate, kDelete };

struct Entry {
  std::string key;
  // As sent: string, number, bool or a list of those; null when the request had no value.
  nlohmann::json value;
  Operation operation = Operation::kUpdate;
};

struct ModelConfig {
  Model model = Model::kSysctl;
  std::string config_path;  // empty: the model's default path (ApplyContext)
  std::vector<Entry> contents;
};

struct ConfigRequest {
  std::string version;  // the engine applies a request only when this differs from the recorded one
  std::vector<ModelConfig> configs;
};

// Parses and validates |json| (`{"version":…,"configs":[{"model":…,"configpath":…,"contents":
// [{"key":…,"value":…,"operation":…}]}]}`). Any problem → Errc::kConfigRejected whose message lists
// every problem, one per line ("configs[0].contents[2]: key must not contain '='").
//
// configpath is accepted only where upstream honours it, and only inside the directory that model
// owns, because otherwise whoever edits the CR could write any root-owned file on every node:
//   kernel.sysctl.persist  /etc/sysctl.conf, /etc/sysctl.d/*.conf
//   kubernetes.kubelet     /var/lib/kubelet/*.yaml|yml, /etc/kubernetes/*.yaml|yml
//   container.containerd   /etc/containerd/*.toml
//   pam.limits             /etc/security/limits.conf, /etc/security/limits.d/*.conf
// kernel.sysctl and grub.cmdline.* refuse any configpath (their targets are fixed).
[[nodiscard]] Result<ConfigRequest> ParseRequest(std::string_view json);

// For `kubeosctl config -f FILE`: |document| is a sysconfigs object in YAML or JSON, or a whole OS
// resource (then spec.<kind> is used; |kind| is "sysconfigs" or "upgradeconfigs"). Returns the JSON
// text of the config object for ParseRequest/ApplyConfig. YAML scalars: quoted ones stay strings;
// plain ones become null (~, null, empty), true/false, integers and decimals where they spell one
// (YAML 1.2 core schema; yes/no/on/off stay strings), everything else a string. `version` is
// always a string, so `version: 2` means "2".
[[nodiscard]] Result<std::string> ConfigJsonFromDocument(std::string_view document,
                                                         std::string_view kind);

// The text an edited file stores for a scalar value: strings as they are, numbers and booleans as
// JSON spells them (10, 1.5, true).
[[nodiscard]] std::string ScalarText(const nlohmann::json& value);

}  // namespace kubeos::core::config
