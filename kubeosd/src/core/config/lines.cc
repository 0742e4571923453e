// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/lines.h"

namespace kubeos::core::config {
namespace {
constexpr std::string_view kSpace = " \t\r\n";
}  // namespace

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

void AppendLine(std::vector<std::string>& lines, std::string_view line) {
  if (!lines.empty() && !lines.back().ends_with('\n')) lines.back() += '\n';
  lines.push_back(std::string(line) + "\n");
}

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    i = s.find_first_not_of(kSpace, i);
    if (i == std::string_view::npos) return out;
    size_t end = s.find_first_of(kSpace, i);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(i, end - i));
    i = end;
  }
}

}  // namespace kubeos::core::config
