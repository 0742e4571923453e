// SPDX-License-Identifier: MulanPSL-2.0
// kubernetes.kubelet: editing the kubelet config YAML in place, so that comments and order survive.
#pragma once

#include <span>
#include <string_view>

#include "base/error.h"
#include "core/config/edit.h"
#include "core/config/request.h"

namespace kubeos::core::config {

// Applies validated kubernetes.kubelet |entries| (dotted key paths) to YAML |text|.
//
// yaml-cpp parses and checks; the text is edited in place: a scalar on the key's line is replaced
// where it stands; other values (lists, nested blocks, multi-line scalars) are replaced by one line
// `key: <flow value>`, which drops comments inside the replaced block and on the key's line;
// missing keys are inserted as indented block lines at the end of their parent mapping; delete
// removes the key's lines (with a value: only when it matches). Everything else — other keys,
// their order, comments, blank lines — stays byte for byte. Every edit is re-parsed and must read
// as the old document with exactly this key changed; what cannot be edited that way (a parent in
// flow style such as `{}`, a parent that is a scalar or list, several documents) is refused with
// Errc::kConfigRejected instead of re-serialising the file, which would lose every comment.
// Lists are replaced, not appended to (upstream appends, so a retry duplicates items).
[[nodiscard]] Result<Edit> EditKubeletYaml(std::string_view text, std::span<const Entry> entries);

}  // namespace kubeos::core::config
