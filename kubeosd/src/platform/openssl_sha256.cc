// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/openssl_sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <stdexcept>

namespace kubeos::platform {
namespace {

class OpenSslSha256 final : public core::Sha256 {
 public:
  OpenSslSha256() : ctx_(EVP_MD_CTX_new()) {
    // Only allocation can fail here; there is no sensible way to go on without a hash.
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("EVP_DigestInit_ex(sha256) failed");
    }
  }
  ~OpenSslSha256() override { EVP_MD_CTX_free(ctx_); }
  OpenSslSha256(const OpenSslSha256&) = delete;
  OpenSslSha256& operator=(const OpenSslSha256&) = delete;

  void Update(std::span<const std::byte> data) override {
    EVP_DigestUpdate(ctx_, data.data(), data.size());
  }

  std::string FinalHex() override {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_, digest, &length);
    std::string hex(length * 2, '0');
    static constexpr char kDigits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < length; ++i) {
      hex[2 * i] = kDigits[digest[i] >> 4];
      hex[2 * i + 1] = kDigits[digest[i] & 0xf];
    }
    return hex;
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

std::unique_ptr<core::Sha256> OpenSslHasherFactory::NewSha256() const {
  return std::make_unique<OpenSslSha256>();
}

}  // namespace kubeos::platform
