// SPDX-License-Identifier: MulanPSL-2.0
// FakeHasherFactory: a deterministic stand-in for SHA-256 (64 hex digits from FNV-1a), so unit
// tests of core need no crypto library. FakeDigest(data) is what it yields for |data|.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/ports/hasher.h"

namespace kubeos::fakes {

class FakeSha256 final : public core::Sha256 {
 public:
  void Update(std::span<const std::byte> data) override {
    for (const std::byte b : data) {
      h_ ^= std::to_integer<uint64_t>(b);
      h_ *= 1099511628211ULL;
    }
  }
  std::string FinalHex() override {
    char part[17];
    std::snprintf(part, sizeof part, "%016llx", static_cast<unsigned long long>(h_));
    return std::string(part) + part + part + part;
  }

 private:
  uint64_t h_ = 14695981039346656037ULL;
};

class FakeHasherFactory final : public core::HasherFactory {
 public:
  std::unique_ptr<core::Sha256> NewSha256() const override {
    return std::make_unique<FakeSha256>();
  }
};

inline std::string FakeDigest(std::string_view data) {
  FakeSha256 h;
  h.Update(std::as_bytes(std::span(data.data(), data.size())));
  return h.FinalHex();
}

}  // namespace kubeos::fakes
