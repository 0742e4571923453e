// SPDX-License-Identifier: MulanPSL-2.0
// A temporary directory for one test, removed with everything in it when the object dies.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kubeos::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes |data| to path()/|relative|, creating parent directories.
  std::filesystem::path Write(std::string_view relative, std::string_view data) const;
  // Reads path()/|relative|; empty when missing.
  std::string Read(std::string_view relative) const;

 private:
  std::filesystem::path path_;
};

}  // namespace kubeos::testing
