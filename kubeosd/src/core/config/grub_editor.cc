// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/grub_editor.h"

#include <optional>
#include <vector>

#include "core/config/lines.h"

namespace kubeos::core::config {
namespace {

// One word of a line with its place in the line.
struct Word {
  std::string_view text;
  size_t begin;
  size_t end;
};

std::vector<Word> Words(std::string_view line) {
  std::vector<Word> out;
  for (std::string_view f : Fields(line)) {
    size_t b = static_cast<size_t>(f.data() - line.data());
    out.push_back({f, b, b + f.size()});
  }
  return out;
}

std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// Whether the `menuentry` line |words| is titled or --id'd |id|. The title is the first argument.
bool IsEntry(const std::vector<Word>& words, std::string_view id) {
  if (words.size() < 2) return false;
  if (Unquote(words[1].text) == id) return true;
  for (size_t i = 2; i < words.size(); ++i) {
    if (words[i].text == "--id" && i + 1 < words.size() && Unquote(words[i + 1].text) == id)
      return true;
    if (words[i].text.starts_with("--id=") && Unquote(words[i].text.substr(5)) == id) return true;
  }
  return false;
}

bool IsLinuxCommand(std::string_view w) {
  return w == "linux" || w == "linuxefi" || w == "linux16";
}

// The index of the kernel line of entry |id|.
Result<size_t> FindKernelLine(const std::vector<std::string>& lines, std::string_view id) {
  std::optional<size_t> found;
  bool in_entry = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<Word> words = Words(lines[i]);
    if (words.empty()) continue;
    if (words[0].text == "menuentry") {
      in_entry = IsEntry(words, id);
      continue;
    }
    if (words[0].text == "}") in_entry = false;
    if (in_entry && IsLinuxCommand(words[0].text)) {
      if (found)
        return Fail(Errc::kBootloader,
                    "grub.cfg has two kernel lines for entry " + std::string(id));
      // Arguments follow the kernel path: without one, an added argument would become it.
      if (words.size() < 2)
        return Fail(Errc::kBootloader,
                    "grub.cfg: the linux line of entry " + std::string(id) + " names no kernel");
      found = i;
      in_entry = false;
    }
  }
  if (!found)
    return Fail(Errc::kBootloader,
                "grub.cfg has no menu entry " + std::string(id) + " with a linux line");
  return *found;
}

struct Arg {
  Word word;
  std::string_view key;
  std::optional<std::string_view> value;  // nullopt: a bare flag
};

std::vector<Arg> Args(std::string_view line) {
  std::vector<Arg> out;
  std::vector<Word> words = Words(line);
  for (size_t i = 2; i < words.size(); ++i) {  // after `linux` and the kernel path
    std::string_view t = words[i].text;
    size_t eq = t.find('=');
    out.push_back({words[i], t.substr(0, eq),
                   eq == std::string_view::npos ? std::nullopt : std::optional(t.substr(eq + 1))});
  }
  return out;
}

std::string ArgText(const Entry& e, const std::string& value) {
  return value.empty() ? e.key : e.key + "=" + value;
}

Status EditLine(std::string& line, const Entry& e, Edit& edit) {
  std::string value = ScalarText(e.value);
  std::vector<Arg> args = Args(line);
  if (e.operation == Operation::kDelete) {
    bool removed = false;
    // Back to front so that earlier offsets stay valid; each argument goes with the blanks before
    // it (there is always a word before it: the kernel path).
    for (auto it = args.rbegin(); it != args.rend(); ++it) {
      if (it->key != e.key || !(it->value ? *it->value == value : value.empty())) continue;
      size_t from = line.find_last_not_of(" \t", it->word.begin - 1) + 1;
      line.erase(from, it->word.end - from);
      removed = true;
    }
    if (removed) edit.changes.push_back({"", e.key, value, std::nullopt});
    return {};
  }
  const Arg* last = nullptr;
  for (const Arg& a : args) {
    if (a.key != e.key) continue;
    if (a.value ? *a.value == value : value.empty()) return {};  // already there
    last = &a;
  }
  std::string text = ArgText(e, value);
  if (last == nullptr) {
    size_t end = line.find_last_not_of(" \t\r\n") + 1;
    line.insert(end, " " + text);
    edit.changes.push_back({"", e.key, std::nullopt, value});
    return {};
  }
  if (value.empty()) {
    return Fail(Errc::kConfigRejected, "kernel argument " + std::string(last->word.text) +
                                           " has a value; delete it first and add the bare " +
                                           e.key + " in a later request");
  }
  std::string previous(last->value.value_or(""));
  line.replace(last->word.begin, last->word.end - last->word.begin, text);
  edit.changes.push_back({"", e.key, previous, value});
  return {};
}

}  // namespace

Result<Edit> EditGrubCmdline(std::string_view text,
                             std::string_view entry_id,
                             std::span<const Entry> entries) {
  std::vector<std::string> lines = SplitLines(text);
  KUBEOS_ASSIGN_OR_RETURN(size_t index, FindKernelLine(lines, entry_id));
  Edit edit;
  for (const Entry& e : entries) {
    if (auto s = EditLine(lines[index], e, edit); !s) {
      return std::unexpected(std::move(s).error().Wrap("menu entry " + std::string(entry_id)));
    }
  }
  edit.text = JoinLines(lines);
  return edit;
}

}  // namespace kubeos::core::config
