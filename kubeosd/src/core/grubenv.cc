// SPDX-License-Identifier: MulanPSL-2.0
#include "core/grubenv.h"

#include <algorithm>

namespace kubeos::core {
namespace {

constexpr std::string_view kHeader = "# GRUB Environment Block\n";

}  // namespace

Result<GrubEnv> GrubEnv::Parse(std::string_view block) {
  if (!block.starts_with(kHeader)) {
    return Fail(Errc::kBootloader, "not a GRUB environment block (header missing)");
  }
  GrubEnv env;
  std::string_view rest = block.substr(kHeader.size());
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    // Padding is '#' up to the end; comment lines are skipped as GRUB does.
    if (line.empty() || line.front() == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Fail(Errc::kBootloader, "malformed GRUB environment line '" + std::string(line) + "'");
    }
    KUBEOS_TRY(env.Set(line.substr(0, eq), line.substr(eq + 1)));
  }
  return env;
}

std::string GrubEnv::Get(std::string_view key) const {
  auto it = std::find_if(vars_.begin(), vars_.end(), [&](const auto& v) { return v.first == key; });
  return it == vars_.end() ? std::string() : it->second;
}

Status GrubEnv::Set(std::string_view key, std::string_view value) {
  auto bad = [](char c) { return c == '\n' || c == '\\' || c == '\0'; };
  if (key.empty() || key.find('=') != std::string_view::npos || key.front() == '#' ||
      std::any_of(key.begin(), key.end(), bad) || std::any_of(value.begin(), value.end(), bad)) {
    return Fail(Errc::kBootloader, "invalid GRUB environment variable '" + std::string(key) + "'");
  }
  auto it = std::find_if(vars_.begin(), vars_.end(), [&](const auto& v) { return v.first == key; });
  if (it != vars_.end()) {
    it->second = std::string(value);
  } else {
    vars_.emplace_back(std::string(key), std::string(value));
  }
  return {};
}

void GrubEnv::Unset(std::string_view key) {
  std::erase_if(vars_, [&](const auto& v) { return v.first == key; });
}

Result<std::string> GrubEnv::Format() const {
  std::string out(kHeader);
  for (const auto& [k, v] : vars_) out += k + "=" + v + "\n";
  if (out.size() > kGrubEnvSize) {
    return Fail(Errc::kBootloader, "GRUB environment variables exceed 1024 bytes");
  }
  out.resize(kGrubEnvSize, '#');
  return out;
}

}  // namespace kubeos::core
