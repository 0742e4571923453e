// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/sysctl_editor.h"

#include <algorithm>
#include <optional>

#include "core/config/lines.h"

namespace kubeos::core::config {
namespace {

struct Setting {
  std::string key;     // with '/' spelled as '.' and without the "ignore errors" '-' prefix
  size_t value_begin;  // offsets of the trimmed value inside the line
  size_t value_end;
};

std::optional<Setting> ParseSetting(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.empty() || t[0] == '#' || t[0] == ';') return std::nullopt;
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string key(Trim(line.substr(0, eq)));
  if (key.starts_with('-')) key.erase(0, 1);
  std::replace(key.begin(), key.end(), '/', '.');
  std::string_view value = Trim(line.substr(eq + 1));
  size_t begin = value.empty() ? eq + 1 : static_cast<size_t>(value.data() - line.data());
  return Setting{key, begin, begin + value.size()};
}

}  // namespace

Result<Edit> EditSysctlConf(std::string_view text, std::span<const Entry> entries) {
  std::vector<std::string> lines = SplitLines(text);
  Edit edit;
  for (const Entry& e : entries) {
    std::string value = ScalarText(e.value);
    if (e.operation == Operation::kDelete) {
      bool removed = false;
      std::erase_if(lines, [&](const std::string& line) {
        auto s = ParseSetting(line);
        bool match = s && s->key == e.key &&
                     line.substr(s->value_begin, s->value_end - s->value_begin) == value;
        removed = removed || match;
        return match;
      });
      if (removed) edit.changes.push_back({"", e.key, value, std::nullopt});
      continue;
    }
    auto last = std::find_if(lines.rbegin(), lines.rend(), [&](const std::string& line) {
      auto s = ParseSetting(line);
      return s && s->key == e.key;
    });
    if (last == lines.rend()) {
      AppendLine(lines, e.key + "=" + value);
      edit.changes.push_back({"", e.key, std::nullopt, value});
      continue;
    }
    auto s = ParseSetting(*last);
    std::string old = last->substr(s->value_begin, s->value_end - s->value_begin);
    if (old == value) continue;
    last->replace(s->value_begin, s->value_end - s->value_begin, value);
    edit.changes.push_back({"", e.key, old, value});
  }
  edit.text = JoinLines(lines);
  return edit;
}

std::string SysctlProcPath(std::string_view proc_sys, std::string_view key) {
  std::string path(proc_sys);
  path += '/';
  for (char c : key) path += c == '.' ? '/' : c;
  return path;
}

bool SysctlValueEquals(std::string_view current, std::string_view wanted) {
  return Fields(current) == Fields(wanted);
}

}  // namespace kubeos::core::config
