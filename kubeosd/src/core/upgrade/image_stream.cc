// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/image_stream.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace kubeos::core::upgrade {

Result<std::span<const std::byte>> ImageStream::Peek(size_t n) {
  while (head_.size() < n) {
    KUBEOS_TRY(ctx_.CheckCancelled());
    const size_t old = head_.size();
    head_.resize(n);
    auto got = inner_.Read(std::span(head_).subspan(old));
    if (!got) {
      head_.resize(old);
      return std::unexpected(std::move(got).error());
    }
    head_.resize(old + *got);
    if (*got == 0) break;
  }
  return std::span<const std::byte>(head_).first(std::min(n, head_.size()));
}

Result<size_t> ImageStream::Read(std::span<std::byte> buffer) {
  KUBEOS_TRY(ctx_.CheckCancelled());
  size_t n = 0;
  if (head_pos_ < head_.size()) {
    n = std::min(buffer.size(), head_.size() - head_pos_);
    std::memcpy(buffer.data(), head_.data() + head_pos_, n);
    head_pos_ += n;
    if (head_pos_ == head_.size()) {
      head_.clear();
      head_.shrink_to_fit();
      head_pos_ = 0;
    }
  } else {
    KUBEOS_ASSIGN_OR_RETURN(n, inner_.Read(buffer));
  }
  if (hash_) hash_->Update(std::span<const std::byte>(buffer.data(), n));
  bytes_ += n;
  ctx_.SetProgress(bytes_, inner_.TotalSize().value_or(0));
  return n;
}

Status ImageStream::Drain() {
  std::array<std::byte, 64 * 1024> buffer;
  for (;;) {
    KUBEOS_ASSIGN_OR_RETURN(const size_t n, Read(buffer));
    if (n == 0) return {};
  }
}

}  // namespace kubeos::core::upgrade
