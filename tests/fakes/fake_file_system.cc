// SPDX-License-Identifier: MulanPSL-2.0
#include "fakes/fake_file_system.h"

namespace kubeos::testing {

using core::FileContent;

Result<std::optional<FileContent>> FakeFileSystem::Read(std::string_view path) {
  auto it = files_.find(std::string(path));
  if (it == files_.end()) return std::optional<FileContent>();
  return std::optional<FileContent>(it->second);
}

Status FakeFileSystem::CountWrite(std::string_view path, std::string_view data) {
  ++writes_;
  if (writes_ == fail_at_)
    return Fail(Errc::kIo, "injected failure at write " + std::to_string(writes_));
  if (refused_.contains(std::string(path) + '\0' + std::string(data))) {
    return Fail(Errc::kIo, "write " + std::string(path) + ": Invalid argument");
  }
  return {};
}

Status FakeFileSystem::WriteAtomic(std::string_view path, const FileContent& content) {
  KUBEOS_TRY(CountWrite(path, content.data));
  files_[std::string(path)] = content;
  log_.push_back("atomic " + std::string(path));
  return {};
}

Status FakeFileSystem::WriteInPlace(std::string_view path, std::string_view data) {
  KUBEOS_TRY(CountWrite(path, data));
  auto it = files_.find(std::string(path));
  if (it == files_.end())
    return Fail(Errc::kIo, "open " + std::string(path) + ": No such file or directory");
  it->second.data = std::string(data);
  log_.push_back("in-place " + std::string(path));
  return {};
}

Status FakeFileSystem::Remove(std::string_view path) {
  files_.erase(std::string(path));
  log_.push_back("remove " + std::string(path));
  return {};
}

}  // namespace kubeos::testing
