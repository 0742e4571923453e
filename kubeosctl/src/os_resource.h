// SPDX-License-Identifier: MulanPSL-2.0
// What `kubeosctl apply -f OS.yaml` asks of kubeosd: an OS custom resource's operation turned
// into one D-Bus call (Upgrade, Rollback or ApplyConfig) with its options. Pure.
#pragma once

#include <map>
#include <string>
#include <variant>

#include "base/error.h"

namespace kubeos::ctl {

using OptionMap = std::map<std::string, std::variant<std::string, bool>>;

struct OsCall {
  std::string method;       // "Upgrade", "Rollback" or "ApplyConfig"
  OptionMap options;        // the a{sv} argument
  std::string config_json;  // ApplyConfig only: spec.sysconfigs as JSON
};

// |document| is an OS resource in YAML or JSON (the seed's examples as written). Fails with
// kInvalidArgs naming the field when it is not an OS or its opstype is unknown.
[[nodiscard]] Result<OsCall> CallForOsResource(std::string_view document);

}  // namespace kubeos::ctl
