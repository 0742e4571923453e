// SPDX-License-Identifier: MulanPSL-2.0
// Fetcher port: opens an http(s) download as a ByteSource. The policy (schemes, certificate
// files) is decided in core/upgrade/url_policy; the fetcher only carries it out.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/error.h"
#include "core/ports/byte_source.h"

namespace kubeos::core {

struct FetchSpec {
  std::string url;
  // Host paths of PEM files; ca_file is required for https, the client pair only for mTLS.
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::chrono::seconds connect_timeout{30};
  // A transfer slower than 1 KiB/s for this long counts as dropped (then resumed).
  std::chrono::seconds stall_timeout{60};
  // Resumes (HTTP Range) after a dropped connection before giving up.
  int max_retries = 5;
  // Polled during the transfer; true aborts it with Errc::kCancelled.
  std::function<bool()> cancelled;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Connects and checks the response status; errors are kDownloadFailed (or kCancelled).
  virtual Result<std::unique_ptr<ByteSource>> Open(const FetchSpec& spec) = 0;
};

}  // namespace kubeos::core
