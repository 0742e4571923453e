// SPDX-License-Identifier: MulanPSL-2.0
// An in-memory FileSystem for unit tests: files by absolute path, a log of writes, and a
// write that fails on purpose (the Nth, or any to a given path) for fault injection.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/ports/file_system.h"

namespace kubeos::testing {

class FakeFileSystem : public core::FileSystem {
 public:
  Result<std::optional<core::FileContent>> Read(std::string_view path) override;
  Status WriteAtomic(std::string_view path, const core::FileContent& content) override;
  Status WriteInPlace(std::string_view path, std::string_view data) override;
  Status Remove(std::string_view path) override;

  void Put(
      const std::string& path, std::string data, mode_t mode = 0644, uid_t uid = 0, gid_t gid = 0) {
    files_[path] = core::FileContent{std::move(data), mode, uid, gid};
  }
  // Every file, for before/after comparisons.
  const std::map<std::string, core::FileContent>& files() const { return files_; }
  std::string Data(const std::string& path) const {
    auto it = files_.find(path);
    return it == files_.end() ? std::string() : it->second.data;
  }
  bool Exists(const std::string& path) const { return files_.contains(path); }

  // The |n|th write (WriteAtomic or WriteInPlace, counting from 1) fails with Errc::kIo.
  void FailWrite(int n) { fail_at_ = n; }
  // Writes of these exact contents to |path| fail, like a kernel refusing a sysctl value.
  void RefuseValue(const std::string& path, const std::string& data) {
    refused_.insert(path + '\0' + data);
  }
  // Number of WriteAtomic and WriteInPlace calls so far (failed ones included).
  int writes() const { return writes_; }
  // Writes that went through, in order, as "atomic PATH" / "in-place PATH" / "remove PATH".
  const std::vector<std::string>& log() const { return log_; }

 private:
  Status CountWrite(std::string_view path, std::string_view data);

  std::map<std::string, core::FileContent> files_;
  std::set<std::string> refused_;
  std::vector<std::string> log_;
  int writes_ = 0;
  int fail_at_ = 0;
};

}  // namespace kubeos::testing
