// SPDX-License-Identifier: MulanPSL-2.0
#include "http_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace kubeos::op {

Result<HttpEndpoint> HttpEndpoint::Listen(const std::string& address, Handler handler) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos)
    return Fail(Errc::kInvalidArgs, "metrics address needs host:port");
  std::string host = address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) {
    return Fail(Errc::kInvalidArgs, "metrics address: bad IPv4 host " + host);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return FailErrno(Errc::kIo, errno, "socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 16) != 0) {
    int e = errno;
    close(fd);
    return FailErrno(Errc::kIo, e, "listen on " + address);
  }
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  return HttpEndpoint(fd, ntohs(sa.sin_port), std::move(handler));
}

HttpEndpoint::HttpEndpoint(HttpEndpoint&& other) noexcept
    : fd_(other.fd_), port_(other.port_), handler_(std::move(other.handler_)) {
  other.fd_ = -1;
}

HttpEndpoint::~HttpEndpoint() {
  if (fd_ >= 0) close(fd_);
}

void HttpEndpoint::Serve(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{2, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string req;
    char buf[2048];
    while (req.find("\r\n\r\n") == std::string::npos && req.size() < 16384) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      req.append(buf, static_cast<std::size_t>(n));
    }
    std::string path = "/";
    if (auto sp = req.find(' '); sp != std::string::npos) {
      path = req.substr(sp + 1, req.find(' ', sp + 1) - sp - 1);
    }
    HttpReply reply = handler_(path);
    std::string out = "HTTP/1.0 " + std::to_string(reply.status) +
                      (reply.status == 200 ? " OK" : " Error") +
                      "\r\nContent-Type: " + reply.content_type +
                      "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                      "\r\nConnection: close\r\n\r\n" + reply.body;
    std::size_t off = 0;
    while (off < out.size()) {
      ssize_t n = write(c, out.data() + off, out.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(c);
  }
}

}  // namespace kubeos::op
