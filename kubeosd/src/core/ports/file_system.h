// SPDX-License-Identifier: MulanPSL-2.0
// FileSystem port: every file the daemon reads or replaces on the host goes through here, so that
// the real implementation can prefix --root and tests can use a temporary directory or a fake.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace kubeos::core {

struct FileContent {
  std::string data;
  mode_t mode = 0644;  // permission bits only
  uid_t uid = 0;
  gid_t gid = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // |path| is an absolute host path ("/etc/sysctl.conf"); implementations map it under their root
  // and refuse paths that would leave it ("..", symlinks pointing outside).
  // nullopt when the file does not exist.
  virtual Result<std::optional<FileContent>> Read(std::string_view path) = 0;

  // Replaces |path| atomically: temp file in the same directory, fsync, rename, fsync of the
  // directory; mode and owner are taken from |content|. Parent directories are created 0755.
  virtual Status WriteAtomic(std::string_view path, const FileContent& content) = 0;

  // Overwrites an existing file from offset 0 without replacing or first truncating it, then
  // syncs it: for pseudo files (/proc/sys/…) and for same-sized blocks that must stay where they
  // are on disk (grubenv). A longer old file is cut to the new length afterwards.
  virtual Status WriteInPlace(std::string_view path, std::string_view data) = 0;

  // Removes |path|; success when it does not exist.
  virtual Status Remove(std::string_view path) = 0;
};

}  // namespace kubeos::core
