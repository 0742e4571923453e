// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/content.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace kubeos::core::upgrade {
namespace {

std::span<const std::byte> Bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

std::string Ext4Head() {
  std::string s(kDetectBytes, '\0');
  s[1080] = '\x53';
  s[1081] = '\xEF';
  return s;
}

// A v7-style header with a correct checksum and, when |magic|, the ustar magic.
std::string TarHead(bool magic) {
  std::string h(512, '\0');
  std::memcpy(h.data(), "./etc/os-release", 16);
  std::memcpy(h.data() + 100, "0000644", 7);
  std::memcpy(h.data() + 124, "00000000012", 11);
  h[156] = '0';
  if (magic)
    std::memcpy(h.data() + 257,
                "ustar\0"
                "00",
                8);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  }
  char field[8];
  std::snprintf(field, sizeof field, "%06o", sum);
  std::memcpy(h.data() + 148, field, 7);
  return h + std::string(1024, '\0');
}

TEST(ContentTest, RecognisesFilesystemImages) {
  EXPECT_EQ(DetectImageFormat(Bytes(Ext4Head())), ImageFormat::kRawFilesystem);
  EXPECT_EQ(DetectImageFormat(Bytes(std::string("XFSB") + std::string(4092, '\0'))),
            ImageFormat::kRawFilesystem);
  EXPECT_EQ(DetectImageFormat(Bytes(std::string("hsqs") + std::string(100, '\0'))),
            ImageFormat::kRawFilesystem);
}

TEST(ContentTest, RecognisesTarArchives) {
  EXPECT_EQ(DetectImageFormat(Bytes(TarHead(true))), ImageFormat::kTar);
  EXPECT_EQ(DetectImageFormat(Bytes(TarHead(false))), ImageFormat::kTar);
}

TEST(ContentTest, RecognisesCompressedArchives) {
  EXPECT_EQ(DetectImageFormat(Bytes(std::string("\x1f\x8b\x08\x00", 4))),
            ImageFormat::kCompressedTar);
  EXPECT_EQ(DetectImageFormat(Bytes(std::string("\x28\xb5\x2f\xfd", 4))),
            ImageFormat::kCompressedTar);
  EXPECT_EQ(DetectImageFormat(Bytes(std::string("\xfd"
                                                "7zXZ\0",
                                                6))),
            ImageFormat::kCompressedTar);
}

TEST(ContentTest, RefusesAnythingElse) {
  EXPECT_EQ(DetectImageFormat(Bytes("")), ImageFormat::kUnknown);
  EXPECT_EQ(DetectImageFormat(Bytes("<html>404 not found</html>")), ImageFormat::kUnknown);
  EXPECT_EQ(DetectImageFormat(Bytes(std::string(kDetectBytes, '\0'))), ImageFormat::kUnknown);
  std::string broken = TarHead(false);
  broken[0] = 'X';  // checksum no longer matches
  EXPECT_EQ(DetectImageFormat(Bytes(broken)), ImageFormat::kUnknown);
}

TEST(ContentTest, TarMagicWinsOverBytesThatLookLikeASuperblock) {
  std::string tar = TarHead(true);
  tar.resize(kDetectBytes, '\0');
  tar[1080] = '\x53';
  tar[1081] = '\xEF';
  EXPECT_EQ(DetectImageFormat(Bytes(tar)), ImageFormat::kTar);
}

}  // namespace
}  // namespace kubeos::core::upgrade
