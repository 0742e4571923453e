// SPDX-License-Identifier: MulanPSL-2.0
// What every editor returns: the new file text and the keys it changed, for logs and the result.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kubeos::core::config {

struct Change {
  std::string model;  // filled in by Apply
  std::string key;
  std::optional<std::string> old_value;  // nullopt: the key was absent
  std::optional<std::string> new_value;  // nullopt: the key was deleted
};

struct Edit {
  std::string text;
  std::vector<Change> changes;  // empty when the text is unchanged
};

}  // namespace kubeos::core::config
