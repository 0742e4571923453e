// SPDX-License-Identifier: MulanPSL-2.0
// The GRUB environment block format (grubenv): a 1024-byte file holding a header line, key=value
// lines and '#' padding. Pure parsing and formatting; the file I/O lives in the platform layer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace kubeos::core {

inline constexpr size_t kGrubEnvSize = 1024;

// Variables in file order, so an edit keeps the order of untouched variables.
class GrubEnv {
 public:
  // Fails (kBootloader) when the header is missing or a line is malformed.
  [[nodiscard]] static Result<GrubEnv> Parse(std::string_view block);

  [[nodiscard]] std::string Get(std::string_view key) const;  // "" when unset
  // Fails (kBootloader) on keys or values GRUB cannot carry (newline, backslash, '=' in key).
  [[nodiscard]] Status Set(std::string_view key, std::string_view value);
  void Unset(std::string_view key);
  // Exactly kGrubEnvSize bytes; fails (kBootloader) when the variables do not fit.
  [[nodiscard]] Result<std::string> Format() const;

  const std::vector<std::pair<std::string, std::string>>& vars() const { return vars_; }

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

}  // namespace kubeos::core
