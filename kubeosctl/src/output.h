// SPDX-License-Identifier: MulanPSL-2.0
// How kubeosctl prints: the status table, JSON, and job progress on a terminal or in a log.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "client.h"

namespace kubeos::ctl {

// a{sv} as a JSON object: s/o → string, b → bool, integers → number, as → array.
[[nodiscard]] nlohmann::json ToJson(const VariantMap& values);
// The human-readable Status table.
[[nodiscard]] std::string FormatStatus(const nlohmann::json& status);

// Prints progress: a redrawn bar on a terminal, one line per stage change otherwise.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool terminal) : terminal_(terminal) {}
  ~ProgressPrinter() { Finish(); }
  void Update(const JobInfo& job);
  void Finish();

 private:
  bool terminal_;
  bool drawn_ = false;
  std::string last_stage_;
};

[[nodiscard]] std::string HumanBytes(uint64_t bytes);

}  // namespace kubeos::ctl
