// SPDX-License-Identifier: MulanPSL-2.0
// ImageStream: the download as the installer sees it — hashed on the fly (one pass), counted for
// progress, checked for cancellation on every read, with the sniffed head replayed first.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/job.h"
#include "core/ports/byte_source.h"
#include "core/ports/hasher.h"

namespace kubeos::core::upgrade {

class ImageStream final : public ByteSource {
 public:
  // |hash| may be null when the caller verified the image another way (a container digest).
  ImageStream(ByteSource& inner, std::unique_ptr<Sha256> hash, JobContext& ctx)
      : inner_(inner), hash_(std::move(hash)), ctx_(ctx) {}

  // Reads up to |n| bytes ahead without consuming them (for content detection).
  [[nodiscard]] Result<std::span<const std::byte>> Peek(size_t n);
  Result<size_t> Read(std::span<std::byte> buffer) override;
  std::optional<uint64_t> TotalSize() const override { return inner_.TotalSize(); }

  // Reads (and hashes) whatever the consumer left, e.g. the zero blocks after a tar's end.
  [[nodiscard]] Status Drain();
  uint64_t bytes() const { return bytes_; }
  // Hex SHA-256 of everything read; call once, after the stream ended.
  std::string FinalHex() { return hash_->FinalHex(); }

 private:
  ByteSource& inner_;
  std::unique_ptr<Sha256> hash_;
  JobContext& ctx_;
  std::vector<std::byte> head_;
  size_t head_pos_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace kubeos::core::upgrade
