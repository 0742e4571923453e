// SPDX-License-Identifier: MulanPSL-2.0
// kernel.sysctl.persist and kernel.sysctl: editing sysctl.conf text and naming /proc/sys files.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "core/config/edit.h"
#include "core/config/request.h"

namespace kubeos::core::config {

// Applies validated kernel.sysctl.persist |entries| to sysctl.conf |text|. Comments, blank lines,
// lines it does not understand and untouched settings stay byte for byte. Update rewrites only the
// value of the last line setting the key (the one sysctl honours) and appends `key=value` when
// there is none; delete removes the lines whose key and value both match.
[[nodiscard]] Result<Edit> EditSysctlConf(std::string_view text, std::span<const Entry> entries);

// The /proc/sys file of |key|: "net.ipv4.ip_forward" → "<proc_sys>/net/ipv4/ip_forward".
[[nodiscard]] std::string SysctlProcPath(std::string_view proc_sys, std::string_view key);

// Whether the value read from /proc/sys already is |wanted|: the kernel separates multi-value
// settings with tabs where a request may use spaces, and ends with a newline.
[[nodiscard]] bool SysctlValueEquals(std::string_view current, std::string_view wanted);

}  // namespace kubeos::core::config
