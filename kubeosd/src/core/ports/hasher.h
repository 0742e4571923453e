// SPDX-License-Identifier: MulanPSL-2.0
// Hasher port: SHA-256 over a stream, so core can hash without linking a crypto library.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace kubeos::core {

class Sha256 {
 public:
  virtual ~Sha256() = default;
  virtual void Update(std::span<const std::byte> data) = 0;
  // Lower-case hex of the digest; call once, after the last Update.
  virtual std::string FinalHex() = 0;
};

class HasherFactory {
 public:
  virtual ~HasherFactory() = default;
  virtual std::unique_ptr<Sha256> NewSha256() const = 0;
};

}  // namespace kubeos::core
