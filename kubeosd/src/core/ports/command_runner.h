// SPDX-License-Identifier: MulanPSL-2.0
// CommandRunner port: runs a program with an argv vector (execve, never a shell) and reports how
// it ended, so tools such as mkfs.ext4 and systemctl are used without injection risks.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace kubeos::core {

struct CommandResult {
  int exit_code = 0;   // -1 when killed by a signal
  std::string output;  // stdout and stderr, truncated to a few KiB
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // argv[0] is looked up in PATH. Fails (kFailed) only when the program could not be started.
  virtual Result<CommandResult> Run(const std::vector<std::string>& argv) = 0;
};

}  // namespace kubeos::core
