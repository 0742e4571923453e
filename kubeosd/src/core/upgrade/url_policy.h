// SPDX-License-Identifier: MulanPSL-2.0
// Download policy for disk images: which URLs may be fetched and which certificate files
// may be used, decided without touching the network or the disk.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/error.h"
#include "core/ports/fetcher.h"
#include "core/requests.h"

namespace kubeos::core::upgrade {

enum class UrlScheme { kHttp, kHttps };

// Accepts only http:// and https:// URLs with a host (scheme case-insensitive) and without
// whitespace or control characters. Plain http needs |flag_safe|, else Errc::kUnsafeUrl;
// other schemes (ftp, file, …) are kUnsafeUrl too.
[[nodiscard]] Result<UrlScheme> CheckImageUrl(std::string_view url, bool flag_safe);

// The host path of certificate file |name| under |certs_dir|. |name| must be a plain file name:
// no '/', not "." or "..", no control characters (kInvalidArgs naming |option|).
[[nodiscard]] Result<std::string> CertPath(std::string_view certs_dir,
                                           std::string_view name,
                                           std::string_view option);

// A private key must not be readable (or writable) by group or others.
[[nodiscard]] constexpr bool KeyModeIsPrivate(mode_t mode) { return (mode & 077) == 0; }

// Builds what the fetcher needs from an upgrade request: https always with a CA file, mTLS with
// the client pair; http (with flag-safe) never with certificates.
[[nodiscard]] Result<FetchSpec> PlanFetch(const UpgradeRequest& request,
                                          std::string_view certs_dir);

// True when |checksum| is 64 hex digits (any case).
[[nodiscard]] bool IsSha256Hex(std::string_view checksum);
// Case-insensitive comparison of two hex digests.
[[nodiscard]] bool SameDigest(std::string_view a, std::string_view b);

}  // namespace kubeos::core::upgrade
