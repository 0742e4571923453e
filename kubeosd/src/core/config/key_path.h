// SPDX-License-Identifier: MulanPSL-2.0
// Dotted key paths with quoted segments, as kubelet and containerd entries address nested keys:
// `evictionHard."memory.available"`, `plugins."io.containerd.grpc.v1.cri".sandbox_image`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace kubeos::core::config {

// Splits |key| at dots outside double quotes and strips the quotes. Only characters that need no
// escaping in YAML or TOML keys are accepted, so a segment can never smuggle in more syntax:
// unquoted segments [A-Za-z0-9_/-], quoted segments also '.', ':', '@', '+'. Errors are
// Errc::kConfigRejected with the reason ("empty segment", "character ';' not allowed").
[[nodiscard]] Result<std::vector<std::string>> SplitKeyPath(std::string_view key);

// The inverse for messages and logs: segments with a dot are quoted again.
[[nodiscard]] std::string JoinKeyPath(const std::vector<std::string>& segments);

}  // namespace kubeos::core::config
