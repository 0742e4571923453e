// SPDX-License-Identifier: MulanPSL-2.0
// The HealthChecker port on systemd: each required unit must report `systemctl is-active`.
#pragma once

#include <chrono>

#include "core/ports/command_runner.h"
#include "core/ports/health_checker.h"

namespace kubeos::platform {

class SystemdHealthChecker final : public core::HealthChecker {
 public:
  explicit SystemdHealthChecker(core::CommandRunner& runner,
                                std::chrono::milliseconds poll_interval = std::chrono::seconds(2))
      : runner_(runner), poll_interval_(poll_interval) {}

  Status WaitHealthy(const std::vector<std::string>& units,
                     std::chrono::seconds timeout,
                     const std::function<bool()>& cancelled) override;

 private:
  core::CommandRunner& runner_;
  std::chrono::milliseconds poll_interval_;
};

}  // namespace kubeos::platform
