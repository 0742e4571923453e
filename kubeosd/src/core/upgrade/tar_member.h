// SPDX-License-Identifier: MulanPSL-2.0
// TarMemberSource: the content of one regular file inside a tar stream, as a stream itself. Used
// for `docker cp CONTAINER:/os.tar -`, which wraps the file in a one-member archive, so /os.tar is
// installed while it is read, without a copy on disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/ports/byte_source.h"

namespace kubeos::core::upgrade {

class TarMemberSource final : public ByteSource {
 public:
  // |name| is matched against the member path without leading "./" or "/".
  TarMemberSource(ByteSource& archive, std::string name)
      : archive_(archive), name_(std::move(name)) {}

  // The first Read fails with kInvalidImage when the archive holds no regular file |name| before
  // its end (or holds something else first).
  Result<size_t> Read(std::span<std::byte> buffer) override;
  std::optional<uint64_t> TotalSize() const override { return size_; }

 private:
  Status FindMember();
  Status ReadExact(std::span<std::byte> buffer);
  Status Skip(uint64_t bytes);

  ByteSource& archive_;
  std::string name_;
  bool found_ = false;
  std::optional<uint64_t> size_;
  uint64_t left_ = 0;
};

}  // namespace kubeos::core::upgrade
