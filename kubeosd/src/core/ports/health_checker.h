// SPDX-License-Identifier: MulanPSL-2.0
// HealthChecker port: decides whether a freshly booted slot is healthy (required units active).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"

namespace kubeos::core {

class HealthChecker {
 public:
  virtual ~HealthChecker() = default;
  // Waits until every unit in |units| is active, polling until |timeout|. Fails with
  // Errc::kHealthCheck naming the units that are not active; kCancelled when |cancelled| says so.
  virtual Status WaitHealthy(const std::vector<std::string>& units,
                             std::chrono::seconds timeout,
                             const std::function<bool()>& cancelled) = 0;
};

}  // namespace kubeos::core
