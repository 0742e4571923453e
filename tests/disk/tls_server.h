// SPDX-License-Identifier: MulanPSL-2.0
// A small real HTTPS server on 127.0.0.1 for the disk tests, built on OpenSSL: serves in-memory
// files with Range support, optionally demands a client certificate, and can drop a connection
// part-way through a body, so resume and TLS refusals are tested deterministically.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace kubeos::testing {

class TlsServer {
 public:
  struct Options {
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;  // non-empty: a client certificate signed by it is required
  };

  explicit TlsServer(Options options);  // listens on an ephemeral port at once
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  uint16_t port() const { return port_; }
  std::string Url(const std::string& path) const;
  void Serve(const std::string& path, std::string body);
  // The next full-body response stops after |bytes| body bytes and the connection is cut.
  void DropNextAfter(uint64_t bytes);
  int range_requests() const { return range_requests_.load(); }

 private:
  void Run();
  void Handle(int fd);

  Options options_;
  void* ctx_ = nullptr;  // SSL_CTX*, kept opaque so users need no OpenSSL headers
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::mutex mu_;
  std::map<std::string, std::string> files_;  // guarded by mu_
  std::optional<uint64_t> drop_after_;        // guarded by mu_
  std::atomic<int> range_requests_{0};
  std::thread thread_;
};

}  // namespace kubeos::testing
