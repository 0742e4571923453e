// SPDX-License-Identifier: MulanPSL-2.0
// Detects what an image download holds from its first bytes: a raw filesystem image is
// written block for block, a root filesystem tar is extracted onto a fresh filesystem.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace kubeos::core::upgrade {

enum class ImageFormat {
  kUnknown,
  kRawFilesystem,  // ext2/3/4, XFS, SquashFS or EROFS superblock
  kTar,            // uncompressed tar (ustar/GNU magic or a valid v7 header checksum)
  kCompressedTar,  // gzip, zstd, xz or bzip2 stream, expected to hold a tar
};
[[nodiscard]] std::string_view ImageFormatName(ImageFormat f);

// How many leading bytes DetectImageFormat wants (fewer only when the image is that short).
inline constexpr size_t kDetectBytes = 4096;

[[nodiscard]] ImageFormat DetectImageFormat(std::span<const std::byte> head);

}  // namespace kubeos::core::upgrade
