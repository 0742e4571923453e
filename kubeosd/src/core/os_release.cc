// SPDX-License-Identifier: MulanPSL-2.0
#include "core/os_release.h"

#include <map>

namespace kubeos::core {
namespace {

// Shell-like value: optional single or double quotes; in double quotes a backslash escapes
// the next character (os-release(5)).
std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    const char quote = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (quote == '"' && v[i] == '\\' && i + 1 < v.size()) ++i;
      out.push_back(v[i]);
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

std::string PrettyNameFromOsRelease(std::string_view text) {
  std::map<std::string, std::string, std::less<>> vars;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    vars[std::string(line.substr(0, eq))] = Unquote(line.substr(eq + 1));
  }
  if (auto it = vars.find("PRETTY_NAME"); it != vars.end() && !it->second.empty()) {
    return it->second;
  }
  auto name = vars.find("NAME");
  auto version = vars.find("VERSION_ID");
  if (name != vars.end() && version != vars.end()) return name->second + " " + version->second;
  return name != vars.end() ? name->second : std::string();
}

}  // namespace kubeos::core
