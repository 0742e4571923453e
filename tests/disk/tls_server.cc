// SPDX-License-Identifier: MulanPSL-2.0
#include "disk/tls_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <stdexcept>
#include <utility>

namespace kubeos::testing {
namespace {

SSL_CTX* Ctx(void* p) { return static_cast<SSL_CTX*>(p); }

bool WriteAll(SSL* ssl, const char* data, size_t n) {
  while (n > 0) {
    const int chunk = static_cast<int>(std::min<size_t>(n, 16384));
    const int w = SSL_write(ssl, data, chunk);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

TlsServer::TlsServer(Options options) : options_(std::move(options)) {
  // A client that gives up mid-body (a refused image) must not kill the test with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ctx_ = ctx;
  if (ctx == nullptr || SSL_CTX_use_certificate_chain_file(ctx, options_.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, options_.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw std::runtime_error("tls server: cannot load certificate or key");
  }
  if (!options_.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options_.client_ca_file.c_str(), nullptr) != 1) {
      throw std::runtime_error("tls server: cannot load client CA");
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    throw std::runtime_error("tls server: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread(&TlsServer::Run, this);
}

TlsServer::~TlsServer() {
  if (stop_pipe_[1] >= 0) (void)::write(stop_pipe_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  for (const int fd : {listen_fd_, stop_pipe_[0], stop_pipe_[1]}) {
    if (fd >= 0) ::close(fd);
  }
  SSL_CTX_free(Ctx(ctx_));
}

std::string TlsServer::Url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path;
}

void TlsServer::Serve(const std::string& path, std::string body) {
  std::lock_guard lock(mu_);
  files_[path] = std::move(body);
}

void TlsServer::DropNextAfter(uint64_t bytes) {
  std::lock_guard lock(mu_);
  drop_after_ = bytes;
}

void TlsServer::Run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Handle(fd);
    ::close(fd);
  }
}

void TlsServer::Handle(int fd) {
  SSL* ssl = SSL_new(Ctx(ctx_));
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) {  // wrong CA on the client side, missing client certificate, …
    ERR_clear_error();
    SSL_free(ssl);
    return;
  }
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    const int n = SSL_read(ssl, buf, sizeof buf);
    if (n <= 0) break;
    request.append(buf, static_cast<size_t>(n));
  }
  std::string path;
  if (request.starts_with("GET ")) path = request.substr(4, request.find(' ', 4) - 4);
  uint64_t from = 0;
  bool ranged = false;
  if (const size_t r = request.find("\r\nRange: bytes="); r != std::string::npos) {
    from = std::stoull(request.substr(r + 15));
    ranged = true;
    ++range_requests_;
  }
  std::string body;
  bool found = false;
  std::optional<uint64_t> drop;
  {
    std::lock_guard lock(mu_);
    if (const auto it = files_.find(path); it != files_.end()) {
      body = it->second;
      found = true;
    }
    if (found && !ranged) drop = std::exchange(drop_after_, std::nullopt);
  }
  std::string head;
  if (!found || from > body.size()) {
    head = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    body.clear();
  } else if (ranged) {
    head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) + "-" +
           std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) +
           "\r\nContent-Length: " + std::to_string(body.size() - from) +
           "\r\nConnection: close\r\n\r\n";
    body.erase(0, from);
  } else {
    head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n";
  }
  const size_t send = drop ? std::min<size_t>(*drop, body.size()) : body.size();
  if (WriteAll(ssl, head.data(), head.size()) && WriteAll(ssl, body.data(), send) && !drop) {
    SSL_shutdown(ssl);
  }
  // On a drop the socket is closed without close_notify: the client sees a cut connection.
  SSL_free(ssl);
}

}  // namespace kubeos::testing
