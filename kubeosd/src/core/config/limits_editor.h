// SPDX-License-Identifier: MulanPSL-2.0
// pam.limits: editing limits.conf lines `domain type item value`.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "core/config/edit.h"
#include "core/config/request.h"

namespace kubeos::core::config {

// The value of a pam.limits entry, as upstream spells it: "type.item.value" (the key is the
// domain).
struct Limit {
  std::string type;   // soft, hard or -
  std::string item;   // nofile, nproc, …
  std::string value;  // a number, -1, unlimited or infinity
};

// Parses "hard.nofile.65535". Upstream's '_' ("keep the file's part") is refused: an entry must say
// exactly which line it addresses. Errors are Errc::kConfigRejected with the reason.
[[nodiscard]] Result<Limit> ParseLimit(std::string_view type_item_value);

// Applies validated pam.limits |entries| to limits.conf |text|. A line is addressed by domain, type
// and item (upstream: domain only, so one line per domain); fields may be separated by any run of
// spaces or tabs. Update rewrites the value of the last matching line (the one pam_limits honours)
// or appends `domain type item value`; delete removes lines matching all four fields. Every other
// byte stays as it was.
[[nodiscard]] Result<Edit> EditLimitsConf(std::string_view text, std::span<const Entry> entries);

}  // namespace kubeos::core::config
