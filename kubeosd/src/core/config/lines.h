// SPDX-License-Identifier: MulanPSL-2.0
// Line helpers shared by the line-oriented editors, which must keep untouched lines byte for byte.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kubeos::core::config {

// Splits |text| into lines that keep their '\n'; joining them gives |text| back exactly.
[[nodiscard]] std::vector<std::string> SplitLines(std::string_view text);
[[nodiscard]] std::string JoinLines(const std::vector<std::string>& lines);
// Appends |line| (without '\n') as a new last line, first ending an unterminated last line.
void AppendLine(std::vector<std::string>& lines, std::string_view line);
// |s| without leading and trailing spaces, tabs, '\r' and '\n'.
[[nodiscard]] std::string_view Trim(std::string_view s);
// Whitespace-separated fields of |s|.
[[nodiscard]] std::vector<std::string_view> Fields(std::string_view s);

}  // namespace kubeos::core::config
