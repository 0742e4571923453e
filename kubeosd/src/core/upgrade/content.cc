// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/content.h"

#include <cstdint>
#include <initializer_list>

namespace kubeos::core::upgrade {
namespace {

bool HasBytes(std::span<const std::byte> head,
              size_t offset,
              std::initializer_list<uint8_t> magic) {
  if (head.size() < offset + magic.size()) return false;
  size_t i = offset;
  for (const uint8_t m : magic) {
    if (std::to_integer<uint8_t>(head[i++]) != m) return false;
  }
  return true;
}

// A v7/ustar header stores the sum of its 512 bytes (checksum field counted as spaces) in octal.
bool TarChecksumValid(std::span<const std::byte> head) {
  if (head.size() < 512 || std::to_integer<uint8_t>(head[0]) == 0) return false;
  unsigned stored = 0;
  bool digits = false;
  for (size_t i = 148; i < 156; ++i) {
    const auto c = std::to_integer<uint8_t>(head[i]);
    if (c >= '0' && c <= '7') {
      stored = stored * 8 + (c - '0');
      digits = true;
    } else if (c == ' ' || c == 0) {
      if (digits) break;
    } else {
      return false;
    }
  }
  if (!digits) return false;
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : std::to_integer<uint8_t>(head[i]);
  }
  return sum == stored;
}

}  // namespace

std::string_view ImageFormatName(ImageFormat f) {
  switch (f) {
    case ImageFormat::kRawFilesystem:
      return "raw filesystem image";
    case ImageFormat::kTar:
      return "tar archive";
    case ImageFormat::kCompressedTar:
      return "compressed tar archive";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

ImageFormat DetectImageFormat(std::span<const std::byte> head) {
  // A tar header names its format at offset 257 ("ustar\0" POSIX, "ustar  " GNU).
  if (HasBytes(head, 257, {'u', 's', 't', 'a', 'r'})) return ImageFormat::kTar;
  if (HasBytes(head, 0, {0x1F, 0x8B}) ||                      // gzip
      HasBytes(head, 0, {0x28, 0xB5, 0x2F, 0xFD}) ||          // zstd
      HasBytes(head, 0, {0xFD, '7', 'z', 'X', 'Z', 0x00}) ||  // xz
      HasBytes(head, 0, {'B', 'Z', 'h'})) {                   // bzip2
    return ImageFormat::kCompressedTar;
  }
  // Superblocks after the archive magics: file data inside a tar could contain anything at 1080.
  // ext2/3/4: s_magic 0xEF53 (little endian) at 1024 + 56.
  if (HasBytes(head, 1080, {0x53, 0xEF})) return ImageFormat::kRawFilesystem;
  if (HasBytes(head, 0, {'X', 'F', 'S', 'B'})) return ImageFormat::kRawFilesystem;
  if (HasBytes(head, 0, {'h', 's', 'q', 's'})) return ImageFormat::kRawFilesystem;
  if (HasBytes(head, 1024, {0xE2, 0xE1, 0xF5, 0xE0})) return ImageFormat::kRawFilesystem;  // EROFS
  if (TarChecksumValid(head)) return ImageFormat::kTar;
  return ImageFormat::kUnknown;
}

}  // namespace kubeos::core::upgrade
