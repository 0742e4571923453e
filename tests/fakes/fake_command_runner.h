// SPDX-License-Identifier: MulanPSL-2.0
// FakeCommandRunner: records every argv and answers with preset exit codes per program.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/ports/command_runner.h"

namespace kubeos::fakes {

class FakeCommandRunner final : public core::CommandRunner {
 public:
  std::vector<std::vector<std::string>> calls;
  std::map<std::string, int> exit_codes;  // argv[0] → exit code (default 0)

  Result<core::CommandResult> Run(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    const auto it = exit_codes.find(argv.at(0));
    return core::CommandResult{it == exit_codes.end() ? 0 : it->second, ""};
  }
};

}  // namespace kubeos::fakes
