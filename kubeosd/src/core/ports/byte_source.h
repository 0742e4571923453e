// SPDX-License-Identifier: MulanPSL-2.0
// ByteSource: a pull-based stream of bytes (a download, a hashing wrapper), so the installer
// reads the image at its own pace and memory stays bounded whatever the image size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/error.h"

namespace kubeos::core {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills up to |buffer|.size() bytes; 0 means the end of the stream.
  virtual Result<size_t> Read(std::span<std::byte> buffer) = 0;
  // The total length when known (Content-Length), else nullopt.
  virtual std::optional<uint64_t> TotalSize() const = 0;
};

}  // namespace kubeos::core
