// SPDX-License-Identifier: MulanPSL-2.0
// Between JSON values of a request and YAML text: how a YAML scalar reads and how a value is
// written.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"

namespace kubeos::core::config {

// A scalar as JSON: quoted or tagged scalars are strings; plain ones are null (~, null, empty),
// true/false, integers and decimals where they spell one (YAML 1.2 core schema), else strings.
[[nodiscard]] nlohmann::json YamlScalarToJson(const YAML::Node& scalar);

// A whole node as JSON (scalars as above); refuses nesting deeper than 64 and non-scalar keys.
// A mapping key `version` always keeps its text: a version is a name, `1.10` is not 1.1.
[[nodiscard]] Result<nlohmann::json> YamlToJson(const YAML::Node& node, int depth = 0);

// Whether |node| holds |value| (scalars by their JSON reading; lists item by item).
[[nodiscard]] bool YamlEquals(const YAML::Node& node, const nlohmann::json& value);

// |value| as YAML flow text that reads back as the same JSON value under both YAML 1.1 (go-yaml,
// which kubelet uses) and 1.2: strings stay plain only when nothing could read them otherwise
// ("systemd", "100Mi", "10%"), else they are double-quoted with JSON escapes.
[[nodiscard]] std::string YamlRender(const nlohmann::json& value);

}  // namespace kubeos::core::config
