// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/yaml_editor.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <sstream>
#include <vector>

#include "core/config/key_path.h"
#include "core/config/lines.h"
#include "core/config/yaml_value.h"

namespace kubeos::core::config {
namespace {

using nlohmann::json;

struct Child {
  Child(const YAML::Node& k, const YAML::Node& v) : key(k), value(v) {}
  Child(const Child&) = default;
  // yaml-cpp's Node::operator= writes into the document it refers to; rebind instead.
  Child& operator=(const Child& other) {
    key.reset(other.key);
    value.reset(other.value);
    return *this;
  }
  YAML::Node key;
  YAML::Node value;
};

// Listens to the parser and does nothing: CountDocuments needs only the parse.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&,
                const std::string&,
                YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&,
                       const std::string&,
                       YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&,
                  const std::string&,
                  YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The number of documents in |text|, counting no further than |limit|. Not YAML::LoadAll:
// yaml-cpp 0.7's never returns when a ',' stands outside any flow collection (found by
// fuzz_yaml_editor), since its parser reports an empty document for it each time round without
// consuming it.
size_t CountDocuments(const std::string& text, size_t limit) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  size_t n = 0;
  while (n < limit && parser.HandleNextDocument(counter)) ++n;
  return n;
}

Result<YAML::Node> Load(std::string_view text) {
  try {
    const std::string s(text);
    if (CountDocuments(s, 2) > 1) {
      return Fail(Errc::kConfigRejected,
                  "the file holds several YAML documents (or content after the first)");
    }
    YAML::Node doc = YAML::Load(s);
    if (doc.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!doc.IsMap()) return Fail(Errc::kConfigRejected, "the file is not a YAML mapping");
    return doc;
  } catch (const std::exception& e) {
    return Fail(Errc::kConfigRejected, std::string("the file is not valid YAML: ") + e.what());
  }
}

std::optional<Child> Find(const YAML::Node& map, const std::string& name) {
  if (!map.IsMap()) return std::nullopt;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == name) return Child{it->first, it->second};
  }
  return std::nullopt;
}

size_t Indent(std::string_view line) {
  size_t i = line.find_first_not_of(' ');
  return i == std::string_view::npos ? line.size() : i;
}

bool IsContent(std::string_view line) {
  std::string_view t = Trim(line);
  return !t.empty() && t[0] != '#';
}

// One past the last line of the block of the key at |line|, |column|: the lines indented deeper,
// and a block sequence at the key's own indentation. Trailing comments and blank lines stay out.
size_t BlockEnd(const std::vector<std::string>& lines, size_t line, size_t column) {
  size_t end = line + 1;
  for (size_t i = line + 1; i < lines.size(); ++i) {
    if (!IsContent(lines[i])) continue;
    std::string_view t = Trim(lines[i]);
    size_t indent = Indent(lines[i]);
    if (indent > column || (indent == column && (t == "-" || t.starts_with("- ")))) {
      end = i + 1;
      continue;
    }
    break;
  }
  return end;
}

// The end of the single-line scalar starting at |begin| of |line|, or nullopt when it is not one
// (block scalar, anchor, tag, alias, unclosed quote).
std::optional<size_t> ScalarEnd(std::string_view line, size_t begin) {
  if (begin >= line.size()) return std::nullopt;
  char first = line[begin];
  if (first == '"' || first == '\'') {
    for (size_t i = begin + 1; i < line.size(); ++i) {
      if (first == '"' && line[i] == '\\')
        ++i;
      else if (line[i] == first && first == '\'' && i + 1 < line.size() && line[i + 1] == '\'')
        ++i;
      else if (line[i] == first)
        return i + 1;
    }
    return std::nullopt;
  }
  if (std::string_view("|>&!*[{#\n").find(first) != std::string_view::npos) return std::nullopt;
  size_t end = line.size();
  for (size_t i = begin; i < line.size(); ++i) {
    if (line[i] == '#' && i > begin && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
      end = i;
      break;
    }
  }
  while (end > begin && std::string_view(" \t\r\n").find(line[end - 1]) != std::string_view::npos)
    --end;
  return end;
}

bool DeepEqual(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar() && a.Tag() == b.Tag();
  if (!a.IsMap() && !a.IsSequence()) return true;
  if (a.size() != b.size()) return false;
  if (a.IsSequence()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!DeepEqual(a[i], b[i])) return false;
    }
    return true;
  }
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (!DeepEqual(ia->first, ib->first) || !DeepEqual(ia->second, ib->second)) return false;
  }
  return true;
}

// Whether |a| and |b| are equal apart from what lies at |path| (a missing or null mapping counts
// as an empty one, so inserting or emptying parents is allowed).
bool SameExcept(const YAML::Node& a, const YAML::Node& b, std::span<const std::string> path) {
  if (path.empty()) return true;
  if ((!a.IsMap() && !a.IsNull()) || (!b.IsMap() && !b.IsNull())) return false;
  auto others = [&](const YAML::Node& m) {
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    if (m.IsMap()) {
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (!(it->first.IsScalar() && it->first.Scalar() == path[0]))
          out.emplace_back(it->first, it->second);
      }
    }
    return out;
  };
  auto oa = others(a);
  auto ob = others(b);
  if (oa.size() != ob.size()) return false;
  for (size_t i = 0; i < oa.size(); ++i) {
    if (!DeepEqual(oa[i].first, ob[i].first) || !DeepEqual(oa[i].second, ob[i].second))
      return false;
  }
  if (path.size() == 1) return true;
  auto ca = Find(a, path[0]);
  auto cb = Find(b, path[0]);
  return SameExcept(ca ? ca->value : YAML::Node(), cb ? cb->value : YAML::Node(), path.subspan(1));
}

std::string KeyText(const std::string& segment) { return YamlRender(json(segment)); }

Status CannotEdit(const std::string& what) {
  return Fail(Errc::kConfigRejected, "cannot edit in place: " + what);
}

// One entry against the current |text|.
Status ApplyEntry(std::string& text, const Entry& e, Edit& edit) {
  KUBEOS_ASSIGN_OR_RETURN(std::vector<std::string> path, SplitKeyPath(e.key));
  KUBEOS_ASSIGN_OR_RETURN(YAML::Node root, Load(text));
  std::vector<std::string> lines = SplitLines(text);
  bool del = e.operation == Operation::kDelete;

  // Walk down as far as the document goes.
  YAML::Node parent = root;
  std::optional<Child> parent_key;  // nullopt: the parent is the root
  size_t depth = 0;
  std::optional<Child> leaf;
  for (; depth < path.size(); ++depth) {
    auto child = Find(parent, path[depth]);
    if (!child) break;
    if (depth + 1 == path.size()) {
      leaf = child;
      break;
    }
    if (!child->value.IsMap() && !child->value.IsNull()) {
      return CannotEdit(JoinKeyPath({path.begin(), path.begin() + static_cast<long>(depth) + 1}) +
                        " is not a mapping");
    }
    parent.reset(child->value);  // yaml-cpp: `=` would assign into the tree, reset() rebinds
    parent_key = child;
  }
  if (parent.Style() == YAML::EmitterStyle::Flow) {
    return CannotEdit("the parent of " + e.key + " is written in flow style");
  }

  std::optional<std::string> old_text;
  if (leaf) {
    KUBEOS_ASSIGN_OR_RETURN(json old, YamlToJson(leaf->value));
    old_text = ScalarText(old);
  }
  if (leaf && leaf->key.Mark().line < 0) return CannotEdit(e.key + " has no position");
  std::string rendered = YamlRender(e.value);
  if (del) {
    if (!leaf || (!e.value.is_null() && !YamlEquals(leaf->value, e.value))) return {};
    auto line = static_cast<size_t>(leaf->key.Mark().line);
    auto column = static_cast<size_t>(leaf->key.Mark().column);
    if (Indent(lines[line]) != column) return CannotEdit(e.key + " does not start its line");
    lines.erase(lines.begin() + static_cast<long>(line),
                lines.begin() + static_cast<long>(BlockEnd(lines, line, column)));
  } else if (leaf) {
    if (YamlEquals(leaf->value, e.value)) return {};
    auto line = static_cast<size_t>(leaf->key.Mark().line);
    auto column = static_cast<size_t>(leaf->key.Mark().column);
    std::string& l = lines[line];
    std::optional<size_t> end;
    const YAML::Mark vm = leaf->value.Mark();
    size_t vbegin =
        vm.line == leaf->key.Mark().line && vm.column >= 0 ? static_cast<size_t>(vm.column) : 0;
    if (leaf->value.IsScalar() && vbegin > column && BlockEnd(lines, line, column) == line + 1) {
      end = ScalarEnd(l, vbegin);
    }
    if (end) {
      l.replace(vbegin, *end - vbegin, rendered);
    } else {
      std::string replacement = l.substr(0, column) + KeyText(path.back()) + ": " + rendered + "\n";
      size_t block_end = BlockEnd(lines, line, column);
      lines.erase(lines.begin() + static_cast<long>(line) + 1,
                  lines.begin() + static_cast<long>(block_end));
      lines[line] = replacement;
    }
  } else {
    // Insert the missing keys at the end of the deepest existing mapping.
    size_t at = lines.size();
    size_t indent = 0;
    if (parent.IsMap() && parent.size() > 0 && parent.begin()->first.Mark().column >= 0) {
      indent = static_cast<size_t>(parent.begin()->first.Mark().column);
    }
    if (parent_key) {
      auto line = static_cast<size_t>(parent_key->key.Mark().line);
      auto column = static_cast<size_t>(parent_key->key.Mark().column);
      if (parent.IsNull() && !Trim(lines[line]).ends_with(':')) {
        return CannotEdit(JoinKeyPath({path.begin(), path.begin() + static_cast<long>(depth)}) +
                          " has a value that is not a mapping");
      }
      if (parent.IsNull() || parent.size() == 0) indent = column + 2;
      at = BlockEnd(lines, line, column);
    }
    if (at == lines.size() && !lines.empty() && !lines.back().ends_with('\n')) lines.back() += '\n';
    std::vector<std::string> added;
    for (size_t i = depth; i < path.size(); ++i) {
      std::string l(indent + 2 * (i - depth), ' ');
      l += KeyText(path[i]) + ":" + (i + 1 == path.size() ? " " + rendered : "") + "\n";
      added.push_back(std::move(l));
    }
    lines.insert(lines.begin() + static_cast<long>(at), added.begin(), added.end());
  }

  std::string new_text = JoinLines(lines);
  auto reread = Load(new_text);
  if (!reread) return CannotEdit(e.key + ": the edit does not parse back");
  bool ok = SameExcept(root, *reread, path);
  YAML::Node node = *reread;
  for (size_t i = 0; ok && i < path.size(); ++i) {
    auto child = Find(node, path[i]);
    if (!child) {
      ok = del;
      break;
    }
    node.reset(child->value);
    if (i + 1 == path.size()) ok = !del && YamlEquals(node, e.value);
  }
  if (!ok) return CannotEdit(e.key + ": the edit would change more than this key");
  text = std::move(new_text);
  edit.changes.push_back(
      {"", e.key, old_text, del ? std::nullopt : std::optional(ScalarText(e.value))});
  return {};
}

}  // namespace

Result<Edit> EditKubeletYaml(std::string_view text, std::span<const Entry> entries) {
  return EditEach(text, entries, ApplyEntry);
}

}  // namespace kubeos::core::config
