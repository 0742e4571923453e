// SPDX-License-Identifier: MulanPSL-2.0
// The Power port as a command (default `systemctl reboot`): an orderly shutdown through systemd.
#pragma once

#include <string>
#include <vector>

#include "core/ports/command_runner.h"
#include "core/ports/power.h"

namespace kubeos::platform {

class CommandPower final : public core::Power {
 public:
  CommandPower(core::CommandRunner& runner, std::vector<std::string> argv)
      : runner_(runner), argv_(std::move(argv)) {}

  Status Reboot() override {
    auto result = runner_.Run(argv_);
    if (!result) return Forward(std::move(result), "reboot");
    if (result->exit_code != 0) {
      return Fail(Errc::kFailed, "reboot: " + argv_.front() + " exited with " +
                                     std::to_string(result->exit_code) + ": " + result->output);
    }
    return {};
  }

 private:
  core::CommandRunner& runner_;
  std::vector<std::string> argv_;
};

}  // namespace kubeos::platform
