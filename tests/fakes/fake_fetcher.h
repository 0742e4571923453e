// SPDX-License-Identifier: MulanPSL-2.0
// FakeFetcher: serves in-memory bodies by URL in small chunks, records what it was asked for,
// and can fail the open or call a hook as bytes are read (to cancel mid-stream).
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ports/fetcher.h"

namespace kubeos::fakes {

class FakeFetcher final : public core::Fetcher {
 public:
  std::map<std::string, std::string> bodies;
  std::optional<Error> open_error;
  std::function<void(uint64_t bytes_read)> on_read;
  std::vector<core::FetchSpec> opened;

  Result<std::unique_ptr<core::ByteSource>> Open(const core::FetchSpec& spec) override {
    opened.push_back(spec);
    if (open_error) return std::unexpected(*open_error);
    const auto it = bodies.find(spec.url);
    if (it == bodies.end()) return Fail(Errc::kDownloadFailed, "404 " + spec.url);
    return std::unique_ptr<core::ByteSource>(std::make_unique<Source>(it->second, on_read));
  }

 private:
  class Source final : public core::ByteSource {
   public:
    Source(std::string body, std::function<void(uint64_t)> hook)
        : body_(std::move(body)), hook_(std::move(hook)) {}
    Result<size_t> Read(std::span<std::byte> out) override {
      const size_t n = std::min({out.size(), body_.size() - pos_, size_t{1000}});
      std::memcpy(out.data(), body_.data() + pos_, n);
      pos_ += n;
      if (hook_) hook_(pos_);
      return n;
    }
    std::optional<uint64_t> TotalSize() const override { return body_.size(); }

   private:
    std::string body_;
    size_t pos_ = 0;
    std::function<void(uint64_t)> hook_;
  };
};

}  // namespace kubeos::fakes
