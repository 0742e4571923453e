// SPDX-License-Identifier: MulanPSL-2.0
// The ContainerRuntime port with the docker CLI: `docker pull`, the repository digest
// from `docker image inspect`, and /os.tar streamed out of a temporary container with
// `docker cp CONTAINER:/os.tar -` (no copy on disk); the container is removed even on failure.
#pragma once

#include "core/ports/command_runner.h"
#include "core/ports/container_runtime.h"

namespace kubeos::platform {

class DockerRuntime final : public core::ContainerRuntime {
 public:
  explicit DockerRuntime(core::CommandRunner& runner) : runner_(runner) {}
  std::string_view Name() const override { return "docker"; }
  Result<std::string> Pull(const std::string& reference) override;
  Result<std::unique_ptr<core::ByteSource>> OpenRootfsTar(const std::string& reference) override;

 private:
  core::CommandRunner& runner_;
};

}  // namespace kubeos::platform
