// SPDX-License-Identifier: MulanPSL-2.0
// The kinds of job kubeosd runs.
#pragma once

#include <string_view>

namespace kubeos::core {

enum class JobType { kUpgrade, kRollback, kConfig };
[[nodiscard]] constexpr std::string_view JobTypeName(JobType t) {
  switch (t) {
    case JobType::kUpgrade:
      return "upgrade";
    case JobType::kRollback:
      return "rollback";
    case JobType::kConfig:
      return "config";
  }
  return "unknown";
}

}  // namespace kubeos::core
