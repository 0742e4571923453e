// SPDX-License-Identifier: MulanPSL-2.0
// Helpers shared by the container runtimes: a child process whose stdout is read as a
// stream, a PATH lookup without a shell, and the choice of a repository digest for a reference.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/ports/byte_source.h"
#include "core/ports/command_runner.h"
#include "platform/unique_fd.h"

namespace kubeos::platform {

// The stdout of |argv| (spawned without a shell, stdin /dev/null) as a stream. Its end is
// reported only after the child exited 0; a non-zero exit fails the last Read with |code| and the
// child's stderr. Destroying it early kills and reaps the child.
class ProcessOutput final : public core::ByteSource {
 public:
  static Result<std::unique_ptr<ProcessOutput>> Start(const std::vector<std::string>& argv,
                                                      Errc code);
  ~ProcessOutput() override;
  ProcessOutput(const ProcessOutput&) = delete;
  ProcessOutput& operator=(const ProcessOutput&) = delete;

  Result<size_t> Read(std::span<std::byte> buffer) override;
  std::optional<uint64_t> TotalSize() const override { return std::nullopt; }

 private:
  ProcessOutput(std::string what, Errc code) : what_(std::move(what)), code_(code) {}
  Status Reap();

  std::string what_;
  Errc code_;
  pid_t pid_ = -1;
  UniqueFd out_;
  UniqueFd err_;  // a memfd holding stderr
};

// True when |name| is an executable file in one of $PATH's directories.
[[nodiscard]] bool FoundInPath(std::string_view name);

// Runs |argv|; a failure to start or a non-zero exit is |code| with the output. Returns stdout
// and stderr together.
[[nodiscard]] Result<std::string> RunOrFail(core::CommandRunner& runner,
                                            const std::vector<std::string>& argv,
                                            Errc code);

// From "name@sha256:<hex>" entries (docker RepoDigests, CRI repoDigests), the hex digest of the
// repository |reference| names; docker.io/ and library/ are matched with or without.
[[nodiscard]] Result<std::string> RepoDigestFor(const std::vector<std::string>& repo_digests,
                                                std::string_view reference);

}  // namespace kubeos::platform
