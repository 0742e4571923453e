// SPDX-License-Identifier: MulanPSL-2.0
// Clock port: monotonic time for throttling and timeouts, so tests can move time by hand.
#pragma once

#include <chrono>

namespace kubeos::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point Now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace kubeos::core
