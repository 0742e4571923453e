// SPDX-License-Identifier: MulanPSL-2.0
// The two root slots of the A/B scheme and their names on disk and in the boot loader.
#pragma once

#include <optional>
#include <string_view>

namespace kubeos::core {

enum class Slot { kA, kB };

// "A" / "B": the Status value and the GRUB menu entry id.
[[nodiscard]] constexpr std::string_view SlotName(Slot s) { return s == Slot::kA ? "A" : "B"; }
// "ROOT-A" / "ROOT-B": GPT partition label and filesystem label.
[[nodiscard]] constexpr std::string_view SlotLabel(Slot s) {
  return s == Slot::kA ? "ROOT-A" : "ROOT-B";
}
[[nodiscard]] constexpr Slot OtherSlot(Slot s) { return s == Slot::kA ? Slot::kB : Slot::kA; }

// Accepts "A"/"B" (any case) and "ROOT-A"/"ROOT-B".
[[nodiscard]] constexpr std::optional<Slot> ParseSlot(std::string_view text) {
  if (text == "A" || text == "a" || text == "ROOT-A") return Slot::kA;
  if (text == "B" || text == "b" || text == "ROOT-B") return Slot::kB;
  return std::nullopt;
}

}  // namespace kubeos::core
