// SPDX-License-Identifier: MulanPSL-2.0
// container.containerd: editing the containerd config TOML in place, so that comments and order
// survive.
#pragma once

#include <span>
#include <string_view>

#include "base/error.h"
#include "core/config/edit.h"
#include "core/config/request.h"

namespace kubeos::core::config {

// Applies validated container.containerd |entries| (dotted key paths) to TOML |text|.
//
// toml++ parses and checks; the text is edited in place: an existing value is replaced where it
// stands (a multi-line array or string included); a missing key is added as `rest.of.key = value`
// at the end of the section of the deepest existing table that has a [header] (or of the root
// section), or as a new `[table]` section at the end of the file; delete removes the key's lines
// (with a value: only when it matches). Everything else — other keys, their order, comments,
// blank lines, indentation — stays byte for byte. Every edit is re-parsed and must equal the old
// document with exactly this key changed; what cannot be edited that way (inline tables, arrays of
// tables on the path) is refused with Errc::kConfigRejected rather than re-serialising the file,
// which would lose comments and order. Arrays are replaced, not appended to (upstream appends).
[[nodiscard]] Result<Edit> EditContainerdToml(std::string_view text,
                                              std::span<const Entry> entries);

}  // namespace kubeos::core::config
