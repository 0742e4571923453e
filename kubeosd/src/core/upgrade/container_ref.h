// SPDX-License-Identifier: MulanPSL-2.0
// Container image references for image-type docker and containerd: only the seed forms
// `repository/name`, `repository/name:tag` and `repository/name@sha256:<64 hex>`, with an optional
// `host[:port]/` registry prefix, are accepted. The check runs before any command, so nothing a
// runtime CLI could read as an option or a shell could expand ever reaches one.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace kubeos::core::upgrade {

struct ContainerRef {
  std::string registry;    // "host" or "host:port", "" when the reference names none
  std::string repository;  // path components joined by '/', at least "repository/name"
  std::string tag;         // "" when none
  std::string digest;      // lower-case hex of the sha256 digest, "" when none

  // The reference as given (registry, repository, then tag or digest).
  [[nodiscard]] std::string Text() const;
  // With the defaults ctr needs spelled out: registry docker.io, tag latest when neither a tag nor
  // a digest is given.
  [[nodiscard]] std::string FullyQualified() const;
};

// Longest reference accepted, in characters.
inline constexpr size_t kMaxContainerRefLength = 255;

// Parses |text| or refuses it with Errc::kInvalidArgs saying what is wrong.
[[nodiscard]] Result<ContainerRef> ParseContainerRef(std::string_view text);

}  // namespace kubeos::core::upgrade
