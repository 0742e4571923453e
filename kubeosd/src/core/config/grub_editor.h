// SPDX-License-Identifier: MulanPSL-2.0
// grub.cmdline.current / grub.cmdline.next: editing one menu entry's kernel command line in
// grub.cfg.
#pragma once

#include <span>
#include <string_view>

#include "base/error.h"
#include "core/config/edit.h"
#include "core/config/request.h"

namespace kubeos::core::config {

// Applies validated grub.cmdline.* |entries| to the `linux` line of the menu entry titled or
// --id'd |entry_id| ("A" or "B") in grub.cfg |text|; every other byte stays as it was. Arguments
// after the kernel path are `key` (bare flag: the entry's value is empty) or `key=value`.
// Update: nothing when the exact argument is present, else the value of the last argument with that
// key is replaced (a bare flag gains the value) or the argument is appended at the end of the
// line. Turning `key=value` into a bare `key` is refused (seed: delete first, add in a later
// request). Delete removes arguments matching key and value exactly. A missing or duplicated entry
// is Errc::kBootloader.
[[nodiscard]] Result<Edit> EditGrubCmdline(std::string_view text,
                                           std::string_view entry_id,
                                           std::span<const Entry> entries);

}  // namespace kubeos::core::config
