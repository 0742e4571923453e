// SPDX-License-Identifier: MulanPSL-2.0
// Reads the version string KubeOS reports (PRETTY_NAME, which kubelet shows as osImage) out of an
// os-release file.
#pragma once

#include <string>
#include <string_view>

namespace kubeos::core {

// PRETTY_NAME of an os-release text, unquoted and unescaped as os-release(5) says; falls back to
// "NAME VERSION_ID", then "" when neither is present.
[[nodiscard]] std::string PrettyNameFromOsRelease(std::string_view text);

}  // namespace kubeos::core
