// SPDX-License-Identifier: MulanPSL-2.0
// The CommandRunner port with posix_spawnp: an argv vector, no shell, output captured.
#pragma once

#include "core/ports/command_runner.h"

namespace kubeos::platform {

class PosixCommandRunner final : public core::CommandRunner {
 public:
  Result<core::CommandResult> Run(const std::vector<std::string>& argv) override;
};

}  // namespace kubeos::platform
