// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/tar_member.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace kubeos::core::upgrade {
namespace {

constexpr size_t kBlock = 512;

std::string_view Field(const std::array<std::byte, kBlock>& h, size_t offset, size_t length) {
  const char* p = reinterpret_cast<const char*>(h.data()) + offset;
  return {p, std::find(p, p + length, '\0')};
}

// Octal with optional spaces/NULs, or GNU base-256 (high bit of the first byte set).
std::optional<uint64_t> ParseSize(const std::array<std::byte, kBlock>& h) {
  const auto* raw = reinterpret_cast<const unsigned char*>(h.data()) + 124;
  if ((raw[0] & 0x80) != 0) {
    uint64_t v = raw[0] & 0x7f;
    for (size_t i = 1; i < 12; ++i) {
      if (v > (UINT64_MAX >> 8)) return std::nullopt;
      v = (v << 8) | raw[i];
    }
    return v;
  }
  std::string_view text = Field(h, 124, 12);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 8);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string_view Normalize(std::string_view name) {
  while (name.starts_with("./")) name.remove_prefix(2);
  while (name.starts_with('/')) name.remove_prefix(1);
  return name;
}

// The "size" and "path" records of a PAX extended header ("<len> key=value\n" …).
void ParsePax(std::string_view pax,
              std::optional<uint64_t>& size,
              std::optional<std::string>& path) {
  while (!pax.empty()) {
    size_t len = 0;
    const auto [ptr, ec] = std::from_chars(pax.data(), pax.data() + pax.size(), len);
    if (ec != std::errc{} || len == 0 || len > pax.size()) return;
    std::string_view record = pax.substr(0, len);
    pax.remove_prefix(len);
    record.remove_prefix(static_cast<size_t>(ptr - record.data()));
    if (record.starts_with(' ')) record.remove_prefix(1);
    if (record.ends_with('\n')) record.remove_suffix(1);
    const size_t eq = record.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = record.substr(0, eq);
    const std::string_view value = record.substr(eq + 1);
    if (key == "path") path = std::string(value);
    if (key == "size") {
      uint64_t v = 0;
      if (std::from_chars(value.data(), value.data() + value.size(), v).ec == std::errc{}) size = v;
    }
  }
}

uint64_t Padded(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

}  // namespace

Status TarMemberSource::ReadExact(std::span<std::byte> buffer) {
  while (!buffer.empty()) {
    KUBEOS_ASSIGN_OR_RETURN(const size_t n, archive_.Read(buffer));
    if (n == 0) return Fail(Errc::kInvalidImage, "the archive holding " + name_ + " is truncated");
    buffer = buffer.subspan(n);
  }
  return {};
}

Status TarMemberSource::Skip(uint64_t bytes) {
  std::array<std::byte, kBlock> scratch;
  while (bytes > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes, scratch.size()));
    KUBEOS_TRY(ReadExact(std::span(scratch).first(n)));
    bytes -= n;
  }
  return {};
}

Status TarMemberSource::FindMember() {
  std::optional<uint64_t> pax_size;
  std::optional<std::string> pax_path;
  std::string long_name;
  for (;;) {
    std::array<std::byte, kBlock> h;
    KUBEOS_TRY(ReadExact(h));
    if (std::all_of(h.begin(), h.end(), [](std::byte b) { return b == std::byte{0}; })) {
      return Fail(Errc::kInvalidImage, "the image has no file /" + name_);
    }
    const auto size = ParseSize(h);
    if (!size) return Fail(Errc::kInvalidImage, "malformed tar header before /" + name_);
    const char type = static_cast<char>(h[156]);
    if (type == 'x' || type == 'L') {
      if (*size > 64 * 1024) return Fail(Errc::kInvalidImage, "oversized tar extended header");
      std::string data(static_cast<size_t>(Padded(*size)), '\0');
      KUBEOS_TRY(ReadExact(std::as_writable_bytes(std::span(data))));
      data.resize(static_cast<size_t>(*size));
      if (type == 'x') {
        ParsePax(data, pax_size, pax_path);
      } else {
        long_name = data.c_str();
      }
      continue;
    }
    std::string name = pax_path             ? *pax_path
                       : !long_name.empty() ? long_name
                       : std::string(Field(h, 345, 155)).empty()
                           ? std::string(Field(h, 0, 100))
                           : std::string(Field(h, 345, 155)) + "/" + std::string(Field(h, 0, 100));
    const uint64_t length = pax_size.value_or(*size);
    pax_size.reset();
    pax_path.reset();
    long_name.clear();
    if (Normalize(name) == name_ && (type == '0' || type == '\0')) {
      size_ = length;
      left_ = length;
      return {};
    }
    if (Normalize(name) == name_) {
      return Fail(Errc::kInvalidImage, "/" + name_ + " in the image is not a regular file");
    }
    const bool has_data = type == '0' || type == '\0' || type == '7';
    if (has_data || type == 'g') KUBEOS_TRY(Skip(Padded(length)));
  }
}

Result<size_t> TarMemberSource::Read(std::span<std::byte> buffer) {
  if (!found_) {
    KUBEOS_TRY(FindMember());
    found_ = true;
  }
  if (left_ == 0 || buffer.empty()) return size_t{0};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(left_, buffer.size()));
  KUBEOS_ASSIGN_OR_RETURN(const size_t n, archive_.Read(buffer.first(want)));
  if (n == 0) return Fail(Errc::kInvalidImage, "/" + name_ + " is truncated");
  left_ -= n;
  return n;
}

}  // namespace kubeos::core::upgrade
