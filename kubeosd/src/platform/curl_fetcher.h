// SPDX-License-Identifier: MulanPSL-2.0
// The Fetcher port on libcurl: http(s) only, the given CA file only, optional client certificate,
// timeouts, and transparent resume (HTTP Range) after a dropped connection.
#pragma once

#include <string>

#include "core/ports/fetcher.h"

namespace kubeos::platform {

class CurlFetcher final : public core::Fetcher {
 public:
  // |root| prefixes the certificate paths of a FetchSpec ("/" on a node, --root in tests).
  explicit CurlFetcher(std::string root = "/");
  Result<std::unique_ptr<core::ByteSource>> Open(const core::FetchSpec& spec) override;

 private:
  std::string root_;
};

}  // namespace kubeos::platform
