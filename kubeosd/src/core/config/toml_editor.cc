// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/toml_editor.h"

#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "core/config/key_path.h"
#include "core/config/lines.h"

namespace kubeos::core::config {
namespace {

using nlohmann::json;

Result<toml::table> Parse(std::string_view text) {
  try {
    return toml::parse(text);
  } catch (const std::exception& e) {
    return Fail(Errc::kConfigRejected, std::string("the file is not valid TOML: ") + e.what());
  }
}

Status CannotEdit(const std::string& what) {
  return Fail(Errc::kConfigRejected, "cannot edit in place: " + what);
}

std::string Render(const json& value) {
  if (value.is_array()) {
    std::string out = "[";
    for (const auto& item : value) out += (out.size() > 1 ? ", " : "") + Render(item);
    return out + "]";
  }
  // JSON strings, numbers and booleans are valid TOML as JSON writes them.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string RenderKey(const std::vector<std::string>& path, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    bool bare = path[i].find_first_not_of(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                std::string::npos;
    out += (i == from ? "" : ".") + (bare ? path[i] : '"' + path[i] + '"');
  }
  return out;
}

Result<toml::array> ToTomlArray(const json& value);

Result<void> Assign(toml::table& table, const std::string& key, const json& value) {
  if (value.is_string())
    table.insert_or_assign(key, value.get<std::string>());
  else if (value.is_boolean())
    table.insert_or_assign(key, value.get<bool>());
  else if (value.is_number_float())
    table.insert_or_assign(key, value.get<double>());
  else if (value.is_number_unsigned() &&
           value.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()}) {
    return Fail(Errc::kConfigRejected, "number too large for TOML");
  } else if (value.is_number())
    table.insert_or_assign(key, value.get<int64_t>());
  else if (value.is_array()) {
    KUBEOS_ASSIGN_OR_RETURN(toml::array a, ToTomlArray(value));
    table.insert_or_assign(key, std::move(a));
  } else {
    return Fail(Errc::kConfigRejected, "value has no TOML form");
  }
  return {};
}

Result<toml::array> ToTomlArray(const json& value) {
  // Built through a scratch table so that each item converts exactly as a single value would.
  toml::array out;
  for (const auto& item : value) {
    toml::table scratch;
    KUBEOS_TRY(Assign(scratch, "v", item));
    out.push_back(*scratch.get("v"));
  }
  return out;
}

json ToJson(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return i->get();
  if (auto f = node.as_floating_point()) return f->get();
  if (auto b = node.as_boolean()) return b->get();
  if (auto a = node.as_array()) {
    json out = json::array();
    for (const auto& item : *a) out.push_back(ToJson(item));
    return out;
  }
  if (auto t = node.as_table()) {
    json out = json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = ToJson(v);
    return out;
  }
  std::ostringstream os;  // dates and times: their TOML spelling
  node.visit([&](const auto& n) { os << n; });
  return os.str();
}

// Offsets of the start of each line of |text|.
std::vector<size_t> LineStarts(std::string_view text) {
  std::vector<size_t> starts{0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts.push_back(i + 1);
  }
  return starts;
}

// One past the end of the TOML value starting at |i|: strings of all four kinds, arrays and inline
// tables (nested, across lines, with comments inside arrays), or a bare word (number, date, bool).
std::optional<size_t> ValueEnd(std::string_view t, size_t i) {
  if (i >= t.size()) return std::nullopt;
  auto string_end = [&](size_t at) -> std::optional<size_t> {
    char q = t[at];
    bool multi = t.substr(at, 3) == std::string(3, q);
    size_t j = at + (multi ? 3 : 1);
    while (j < t.size()) {
      if (q == '"' && t[j] == '\\') {
        j += 2;
        continue;
      }
      if (!multi && t[j] == '\n') return std::nullopt;
      if (multi ? t.substr(j, 3) == std::string(3, q) : t[j] == q) {
        size_t end = j + (multi ? 3 : 1);
        while (multi && end < t.size() && t[end] == q) ++end;  // """a"""" ends with the last quote
        return end;
      }
      ++j;
    }
    return std::nullopt;
  };
  if (t[i] == '"' || t[i] == '\'') return string_end(i);
  if (t[i] == '[' || t[i] == '{') {
    int depth = 0;
    for (size_t j = i; j < t.size(); ++j) {
      char c = t[j];
      if (c == '"' || c == '\'') {
        auto e = string_end(j);
        if (!e) return std::nullopt;
        j = *e - 1;
      } else if (c == '#') {
        j = t.find('\n', j);
        if (j == std::string_view::npos) return std::nullopt;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if (c == ']' || c == '}') {
        if (--depth == 0) return j + 1;
      }
    }
    return std::nullopt;
  }
  size_t j = i;
  while (j < t.size() && std::string_view(" \t\r\n,]}#").find(t[j]) == std::string_view::npos) ++j;
  // Dates may hold one space between date and time ("1979-05-27 07:32:00").
  if (j + 1 < t.size() && t[j] == ' ' && t[j + 1] >= '0' && t[j + 1] <= '9' && j - i == 10) {
    ++j;
    while (j < t.size() && std::string_view(" \t\r\n,]}#").find(t[j]) == std::string_view::npos)
      ++j;
  }
  return j;
}

bool IsHeader(std::string_view line) { return Trim(line).starts_with('['); }

// The key path of a [header] or [[header]] line, parsed with the key rules of TOML (bare, "basic"
// and 'literal' segments, blanks around dots); nullopt for anything else.
std::optional<std::vector<std::string>> HeaderPath(std::string_view line) {
  std::string_view t = Trim(line);
  if (!t.starts_with('[') || t.starts_with("[[")) return std::nullopt;
  size_t close = t.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view inner = t.substr(1, close - 1);
  std::vector<std::string> path;
  size_t i = 0;
  while (i <= inner.size()) {
    while (i < inner.size() && (inner[i] == ' ' || inner[i] == '\t')) ++i;
    if (i >= inner.size()) return std::nullopt;
    std::string seg;
    if (inner[i] == '"' || inner[i] == '\'') {
      size_t end = inner.find(inner[i], i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      seg = std::string(inner.substr(i + 1, end - i - 1));
      if (inner[i] == '"' && seg.find('\\') != std::string::npos) return std::nullopt;
      i = end + 1;
    } else {
      while (i < inner.size() && inner[i] != '.' && inner[i] != ' ' && inner[i] != '\t')
        seg += inner[i++];
    }
    path.push_back(seg);
    while (i < inner.size() && (inner[i] == ' ' || inner[i] == '\t')) ++i;
    if (i >= inner.size()) return path;
    if (inner[i] != '.') return std::nullopt;
    ++i;
  }
  return path;
}

size_t IndentOf(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  return i == std::string_view::npos ? 0 : i;
}

bool TomlEquals(const toml::node& node, const json& value) {
  if (value.is_number_float() != node.is_floating_point()) return false;
  return ToJson(node) == value;
}

Status ApplyEntry(std::string& text, const Entry& e, Edit& edit) {
  KUBEOS_ASSIGN_OR_RETURN(std::vector<std::string> path, SplitKeyPath(e.key));
  KUBEOS_ASSIGN_OR_RETURN(toml::table root, Parse(text));
  bool del = e.operation == Operation::kDelete;

  // Walk down as far as the document goes; the expected result is built alongside.
  toml::table expected = root;
  toml::table* expected_parent = &expected;
  const toml::table* parent = &root;
  size_t depth = 0;
  const toml::node* leaf = nullptr;
  for (; depth < path.size(); ++depth) {
    const toml::node* child = parent->get(path[depth]);
    if (child == nullptr) break;
    if (depth + 1 == path.size()) {
      leaf = child;
      break;
    }
    const toml::table* t = child->as_table();
    if (t == nullptr) return CannotEdit(RenderKey(path, 0, depth + 1) + " is not a table");
    if (t->is_inline()) return CannotEdit(RenderKey(path, 0, depth + 1) + " is an inline table");
    parent = t;
    expected_parent = expected_parent->get(path[depth])->as_table();
  }
  if (leaf != nullptr && leaf->is_table()) return CannotEdit(e.key + " is a table, not a value");

  if (del) {
    if (leaf == nullptr || (!e.value.is_null() && !TomlEquals(*leaf, e.value))) return {};
    expected_parent->erase(path.back());
  } else {
    if (leaf != nullptr && TomlEquals(*leaf, e.value)) return {};
    for (size_t i = depth; i + 1 < path.size(); ++i) {
      expected_parent = expected_parent->insert(path[i], toml::table{}).first->second.as_table();
    }
    KUBEOS_TRY(Assign(*expected_parent, path.back(), e.value));
  }

  std::vector<size_t> starts = LineStarts(text);
  std::string rendered = Render(e.value);
  std::string new_text = text;
  if (leaf != nullptr) {
    const toml::source_position pos = leaf->source().begin;
    if (!pos || pos.line > starts.size()) return CannotEdit(e.key + " has no position");
    size_t begin = starts[pos.line - 1] + pos.column - 1;
    std::optional<size_t> end = ValueEnd(text, begin);
    if (!end) return CannotEdit(e.key + ": its value could not be delimited");
    if (del) {
      // The key's line through the end of the value's line; nothing else may share them.
      size_t from = starts[pos.line - 1];
      size_t to = text.find('\n', *end);
      to = to == std::string::npos ? text.size() : to + 1;
      std::string_view after = Trim(std::string_view(text).substr(*end, to - *end));
      if (!after.empty() && after[0] != '#') return CannotEdit(e.key + " shares its line");
      new_text.erase(from, to - from);
    } else {
      new_text.replace(begin, *end - begin, rendered);
    }
  } else {
    std::vector<std::string> lines = SplitLines(text);
    // The section to add to: the header of the deepest existing table, or the root section.
    std::optional<size_t> header;
    bool has_header_of_parent = depth == 0 && path.size() == 1;
    for (size_t i = 0; i < lines.size() && depth > 0; ++i) {
      auto hp = HeaderPath(lines[i]);
      if (hp &&
          *hp == std::vector<std::string>(path.begin(), path.begin() + static_cast<long>(depth))) {
        header = i;
        has_header_of_parent = true;
      }
    }
    if (has_header_of_parent) {
      size_t first = header ? *header + 1 : 0;
      size_t at = header ? *header + 1 : 0;
      size_t indent = header ? IndentOf(lines[*header]) : 0;
      for (size_t i = first; i < lines.size() && !IsHeader(lines[i]); ++i) {
        std::string_view t = Trim(lines[i]);
        if (t.empty() || t[0] == '#') continue;
        if (at == first) indent = IndentOf(lines[i]);
        at = i + 1;
      }
      // Lines of a multi-line value that look like content were counted above; the re-parse
      // below catches a key placed inside such a value.
      std::string line(indent, ' ');
      line += RenderKey(path, depth, path.size()) + " = " + rendered;
      if (at == lines.size())
        AppendLine(lines, line);
      else
        lines.insert(lines.begin() + static_cast<long>(at), line + "\n");
    } else {
      AppendLine(lines, "");
      AppendLine(lines, "[" + RenderKey(path, 0, path.size() - 1) + "]");
      AppendLine(lines, RenderKey(path, path.size() - 1, path.size()) + " = " + rendered);
      if (lines.size() == 3) lines.erase(lines.begin());  // no blank line at the top of a new file
    }
    new_text = JoinLines(lines);
  }

  auto reread = Parse(new_text);
  if (!reread || !(*reread == expected)) {
    return CannotEdit(e.key + ": the edit would change more than this key");
  }
  std::optional<std::string> old_value;
  if (leaf != nullptr) old_value = ScalarText(ToJson(*leaf));
  edit.changes.push_back(
      {"", e.key, old_value, del ? std::nullopt : std::optional(ScalarText(e.value))});
  text = std::move(new_text);
  return {};
}

}  // namespace

Result<Edit> EditContainerdToml(std::string_view text, std::span<const Entry> entries) {
  return EditEach(text, entries, ApplyEntry);
}

}  // namespace kubeos::core::config
