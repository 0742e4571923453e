// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/key_path.h"

namespace kubeos::core::config {
namespace {

bool IsPlainKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '/';
}

bool IsQuotedKeyChar(char c) {
  return IsPlainKeyChar(c) || c == '.' || c == ':' || c == '@' || c == '+';
}

std::string Describe(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("character '") + c + "' not allowed";
  return "control or non-ASCII character not allowed";
}

}  // namespace

Result<std::vector<std::string>> SplitKeyPath(std::string_view key) {
  std::vector<std::string> segments;
  size_t i = 0;
  while (true) {
    std::string segment;
    if (i < key.size() && key[i] == '"') {
      size_t close = key.find('"', i + 1);
      if (close == std::string_view::npos) return Fail(Errc::kConfigRejected, "unclosed quote");
      for (char c : key.substr(i + 1, close - i - 1)) {
        if (!IsQuotedKeyChar(c)) return Fail(Errc::kConfigRejected, Describe(c) + " in key");
      }
      segment = std::string(key.substr(i + 1, close - i - 1));
      i = close + 1;
      if (i < key.size() && key[i] != '.') {
        return Fail(Errc::kConfigRejected, "a quoted segment must be followed by '.' or the end");
      }
    } else {
      while (i < key.size() && key[i] != '.') {
        if (!IsPlainKeyChar(key[i])) {
          return Fail(Errc::kConfigRejected, Describe(key[i]) + " in key" +
                                                 (key[i] == '"' ? " (quote whole segments)" : ""));
        }
        segment.push_back(key[i++]);
      }
    }
    if (segment.empty()) return Fail(Errc::kConfigRejected, "empty key segment");
    segments.push_back(std::move(segment));
    if (i >= key.size()) return segments;
    ++i;  // the dot
    if (i == key.size()) return Fail(Errc::kConfigRejected, "empty key segment");
  }
}

std::string JoinKeyPath(const std::vector<std::string>& segments) {
  std::string out;
  for (const auto& s : segments) {
    if (!out.empty()) out += '.';
    out += s.find_first_of(".:@+") == std::string::npos ? s : '"' + s + '"';
  }
  return out;
}

}  // namespace kubeos::core::config
