// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/limits_editor.h"

#include <algorithm>
#include <array>
#include <optional>

#include "core/config/lines.h"

namespace kubeos::core::config {
namespace {

// limits.conf(5).
constexpr std::array<std::string_view, 19> kItems = {
    "core",  "data",       "fsize",    "memlock",   "nofile",       "rss",        "stack",
    "cpu",   "nproc",      "as",       "maxlogins", "maxsyslogins", "nonewprivs", "priority",
    "locks", "sigpending", "msgqueue", "nice",      "rtprio"};

struct Line {
  std::string_view domain, type, item, value;
  size_t value_begin;
};

std::optional<Line> ParseLine(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.empty() || t[0] == '#') return std::nullopt;
  std::vector<std::string_view> f = Fields(line);
  auto comment = std::find_if(f.begin(), f.end(), [](std::string_view x) { return x[0] == '#'; });
  if (comment - f.begin() != 4) return std::nullopt;
  return Line{f[0], f[1], f[2], f[3], static_cast<size_t>(f[3].data() - line.data())};
}

bool IsValueChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

}  // namespace

Result<Limit> ParseLimit(std::string_view text) {
  size_t a = text.find('.');
  size_t b = a == std::string_view::npos ? a : text.find('.', a + 1);
  if (b == std::string_view::npos || text.find('.', b + 1) != std::string_view::npos) {
    return Fail(Errc::kConfigRejected,
                "value must be \"type.item.value\", e.g. \"hard.nofile.65535\"");
  }
  Limit l{std::string(text.substr(0, a)), std::string(text.substr(a + 1, b - a - 1)),
          std::string(text.substr(b + 1))};
  if (l.type == "_" || l.item == "_" || l.value == "_") {
    return Fail(Errc::kConfigRejected,
                "'_' placeholders are not supported: name type, item and value");
  }
  if (l.type != "soft" && l.type != "hard" && l.type != "-") {
    return Fail(Errc::kConfigRejected, "limit type must be soft, hard or -");
  }
  if (std::find(kItems.begin(), kItems.end(), l.item) == kItems.end()) {
    return Fail(Errc::kConfigRejected, "unknown limit item \"" + l.item + "\"");
  }
  if (l.value.empty() || !std::all_of(l.value.begin(), l.value.end(), IsValueChar)) {
    return Fail(Errc::kConfigRejected, "limit value must be a number, -1, unlimited or infinity");
  }
  return l;
}

Result<Edit> EditLimitsConf(std::string_view text, std::span<const Entry> entries) {
  std::vector<std::string> lines = SplitLines(text);
  Edit edit;
  for (const Entry& e : entries) {
    KUBEOS_ASSIGN_OR_RETURN(Limit want, ParseLimit(e.value.get<std::string>()));
    std::string name = e.key + " " + want.type + " " + want.item;
    auto addresses = [&](const std::optional<Line>& l) {
      return l && l->domain == e.key && l->type == want.type && l->item == want.item;
    };
    if (e.operation == Operation::kDelete) {
      bool removed = false;
      std::erase_if(lines, [&](const std::string& line) {
        auto l = ParseLine(line);
        bool match = addresses(l) && l->value == want.value;
        removed = removed || match;
        return match;
      });
      if (removed) edit.changes.push_back({"", name, want.value, std::nullopt});
      continue;
    }
    auto last = std::find_if(lines.rbegin(), lines.rend(),
                             [&](const std::string& line) { return addresses(ParseLine(line)); });
    if (last == lines.rend()) {
      AppendLine(lines, name + " " + want.value);
      edit.changes.push_back({"", name, std::nullopt, want.value});
      continue;
    }
    Line l = *ParseLine(*last);
    std::string old(l.value);
    if (old == want.value) continue;
    last->replace(l.value_begin, old.size(), want.value);
    edit.changes.push_back({"", name, old, want.value});
  }
  edit.text = JoinLines(lines);
  return edit;
}

}  // namespace kubeos::core::config
