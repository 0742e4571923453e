// SPDX-License-Identifier: MulanPSL-2.0
// The FileSystem port on a real directory tree: every path is resolved inside |root| with
// openat2(RESOLVE_IN_ROOT), so neither ".." nor a symlink can reach outside it.
#pragma once

#include <string>

#include "core/ports/file_system.h"

namespace kubeos::platform {

class PosixFileSystem final : public core::FileSystem {
 public:
  // |root| is "/" on a node, or the --root directory of tests and the sandbox.
  explicit PosixFileSystem(std::string root);

  Result<std::optional<core::FileContent>> Read(std::string_view path) override;
  Status WriteAtomic(std::string_view path, const core::FileContent& content) override;
  Status WriteInPlace(std::string_view path, std::string_view data) override;
  Status Remove(std::string_view path) override;

  // The real path of host path |path| under the root (for tools that need a path, e.g. mount).
  std::string HostPath(std::string_view path) const;

 private:
  std::string root_;
};

}  // namespace kubeos::platform
