// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/container_ref.h"

#include <charconv>
#include <vector>

namespace kubeos::core::upgrade {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsHexLower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

// A path component: lower-case letters and digits, separated by one '.', one or two '_', or any
// number of '-' (so never "..", never a leading or trailing separator).
bool ValidPathComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    const std::string_view sep = c.substr(i, j - i);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// A DNS name (labels of letters, digits and inner '-') with an optional :port (1-65535).
bool ValidRegistry(std::string_view r) {
  std::string_view host = r;
  if (const size_t colon = r.find(':'); colon != std::string_view::npos) {
    host = r.substr(0, colon);
    const std::string_view port = r.substr(colon + 1);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || port.size() > 5 || ec != std::errc{} || ptr != port.data() + port.size() ||
        port.front() == '0' || value == 0 || value > 65535) {
      return false;
    }
  }
  if (host.empty()) return false;
  for (const std::string_view label : Split(host, '.')) {
    if (label.empty() || label.size() > 63 || !IsAlnum(label.front()) || !IsAlnum(label.back())) {
      return false;
    }
    for (const char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
  }
  return true;
}

bool LooksLikeRegistry(std::string_view first) {
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost";
}

bool ValidTag(std::string_view t) {
  if (t.empty() || t.size() > 128 || !(IsAlnum(t.front()) || t.front() == '_')) return false;
  for (const char c : t) {
    if (!IsAlnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

Error Refuse(std::string_view text, std::string_view why) {
  return Error{Errc::kInvalidArgs,
               "option 'container-image' '" + std::string(text) +
                   "' is refused: " + std::string(why) +
                   " (accepted: [host[:port]/]repository/name, with :tag or @sha256:<64 hex>)"};
}

}  // namespace

std::string ContainerRef::Text() const {
  std::string out = registry.empty() ? repository : registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@sha256:" + digest;
  return out;
}

std::string ContainerRef::FullyQualified() const {
  ContainerRef full = *this;
  if (full.registry.empty()) full.registry = "docker.io";
  if (full.tag.empty() && full.digest.empty()) full.tag = "latest";
  return full.Text();
}

Result<ContainerRef> ParseContainerRef(std::string_view text) {
  // Refuse non-printable text first, so the error never echoes control characters.
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return std::unexpected(Error{Errc::kInvalidArgs,
                                   "option 'container-image' contains control or non-ASCII "
                                   "characters"});
    }
  }
  if (text.empty()) return std::unexpected(Refuse(text, "empty"));
  if (text.size() > kMaxContainerRefLength) {
    return std::unexpected(Refuse(text.substr(0, 64), "longer than 255 characters"));
  }
  ContainerRef ref;
  std::string_view rest = text;
  if (const size_t at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view digest = rest.substr(at + 1);
    constexpr std::string_view kAlgo = "sha256:";
    if (!digest.starts_with(kAlgo)) return std::unexpected(Refuse(text, "digest is not sha256"));
    const std::string_view hex = digest.substr(kAlgo.size());
    if (hex.size() != 64) return std::unexpected(Refuse(text, "digest is not 64 hex digits"));
    for (const char c : hex) {
      if (!IsHexLower(c)) return std::unexpected(Refuse(text, "digest is not lower-case hex"));
    }
    ref.digest = std::string(hex);
    rest = rest.substr(0, at);
  }
  // A ':' after the last '/' starts the tag; one before it belongs to the registry port.
  const size_t last_slash = rest.rfind('/');
  if (const size_t colon = rest.rfind(':');
      colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    const std::string_view tag = rest.substr(colon + 1);
    if (!ref.digest.empty()) {
      return std::unexpected(Refuse(text, "a tag and a digest together"));
    }
    if (!ValidTag(tag)) return std::unexpected(Refuse(text, "malformed tag"));
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  std::vector<std::string_view> parts = Split(rest, '/');
  if (parts.size() >= 3 && LooksLikeRegistry(parts.front())) {
    if (!ValidRegistry(parts.front())) return std::unexpected(Refuse(text, "malformed registry"));
    ref.registry = std::string(parts.front());
    parts.erase(parts.begin());
  }
  if (parts.size() < 2) {
    return std::unexpected(Refuse(text, "not of the form repository/name"));
  }
  for (const std::string_view part : parts) {
    if (!ValidPathComponent(part)) {
      return std::unexpected(Refuse(text, "malformed path component '" + std::string(part) +
                                              "' (lower-case letters, digits, inner . _ -)"));
    }
    if (!ref.repository.empty()) ref.repository += '/';
    ref.repository += part;
  }
  return ref;
}

}  // namespace kubeos::core::upgrade
