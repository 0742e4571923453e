// SPDX-License-Identifier: MulanPSL-2.0
// SHA-256 through OpenSSL's EVP interface: the real HasherFactory.
#pragma once

#include "core/ports/hasher.h"

namespace kubeos::platform {

class OpenSslHasherFactory final : public core::HasherFactory {
 public:
  std::unique_ptr<core::Sha256> NewSha256() const override;
};

}  // namespace kubeos::platform
