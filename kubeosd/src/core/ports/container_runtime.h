// SPDX-License-Identifier: MulanPSL-2.0
// ContainerRuntime port: pulls an OS image with a container runtime (docker, containerd)
// and opens the root filesystem tar it carries (/os.tar) as a stream for the same verified
// install path as disk images. References reach it only after core/upgrade/container_ref checked
// them; implementations run their CLIs with argument vectors, never through a shell.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "core/ports/byte_source.h"

namespace kubeos::core {

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;
  // "docker" or "containerd", for messages.
  [[nodiscard]] virtual std::string_view Name() const = 0;
  // Pulls |reference| and returns the lower-case hex SHA-256 of its repository digest (the
  // manifest digest the registry served). Errors: kImagePull.
  virtual Result<std::string> Pull(const std::string& reference) = 0;
  // Opens /os.tar of the pulled image. Destroying the stream removes what was made to read it
  // (container, mount, snapshot), also after a failure; a stream that cannot be read to its end
  // fails its last Read. Errors: kInvalidImage when the image has no regular file /os.tar.
  virtual Result<std::unique_ptr<ByteSource>> OpenRootfsTar(const std::string& reference) = 0;
};

}  // namespace kubeos::core
