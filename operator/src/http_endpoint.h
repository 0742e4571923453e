// SPDX-License-Identifier: MulanPSL-2.0
// A minimal HTTP/1.0 server on a TCP port for Prometheus /metrics and /healthz.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "base/error.h"

namespace kubeos::op {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; version=0.0.4";
  std::string body;
};

class HttpEndpoint {
 public:
  using Handler = std::function<HttpReply(const std::string& path)>;
  // Binds |address| ("host:port"; port 0 picks one).
  static Result<HttpEndpoint> Listen(const std::string& address, Handler handler);

  HttpEndpoint(HttpEndpoint&& other) noexcept;
  HttpEndpoint& operator=(HttpEndpoint&&) = delete;
  ~HttpEndpoint();

  [[nodiscard]] int Port() const { return port_; }
  // Serves requests one at a time until |stop|.
  void Serve(const std::atomic<bool>& stop);

 private:
  HttpEndpoint(int fd, int port, Handler handler)
      : fd_(fd), port_(port), handler_(std::move(handler)) {}
  int fd_ = -1;
  int port_ = 0;
  Handler handler_;
};

}  // namespace kubeos::op
