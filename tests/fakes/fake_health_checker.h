// SPDX-License-Identifier: MulanPSL-2.0
// FakeHealthChecker: answers with a preset result and records the units it was asked about.
#pragma once

#include <optional>

#include "core/ports/health_checker.h"

namespace kubeos::fakes {

class FakeHealthChecker final : public core::HealthChecker {
 public:
  std::optional<Error> failure;  // nullopt = healthy
  std::vector<std::string> asked;
  int calls = 0;

  Status WaitHealthy(const std::vector<std::string>& units,
                     std::chrono::seconds,
                     const std::function<bool()>&) override {
    ++calls;
    asked = units;
    if (failure) return std::unexpected(*failure);
    return {};
  }
};

}  // namespace kubeos::fakes
