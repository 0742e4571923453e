// SPDX-License-Identifier: MulanPSL-2.0
// What every editor returns: the new file text and the keys it changed, for logs and the result.
#pragma once

#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

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

// Applies |apply|(text, entry, edit) to each entry in order, so every entry sees the text left by
// the ones before it. A parser exception becomes ConfigRejected naming the entry's key.
template <typename EntryT, typename ApplyFn>
[[nodiscard]] Result<Edit> EditEach(std::string_view text,
                                    std::span<const EntryT> entries,
                                    ApplyFn apply) {
  Edit edit{std::string(text), {}};
  for (const EntryT& e : entries) {
    try {
      if (auto s = apply(edit.text, e, edit); !s) return Forward(std::move(s), e.key);
    } catch (const std::exception& ex) {
      return Fail(Errc::kConfigRejected, e.key + ": " + ex.what());
    }
  }
  return edit;
}

}  // namespace kubeos::core::config
