// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/curl_fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "base/log.h"

namespace kubeos::platform {
namespace {

// Received data waiting for the consumer; beyond this the transfer is paused, so memory stays
// bounded however fast the network is compared with the disk.
constexpr size_t kMaxBuffered = 1024 * 1024;

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};

// Errors after which the same request may succeed when resumed where it stopped.
bool IsTransient(CURLcode code) {
  switch (code) {
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_COULDNT_CONNECT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string JoinRoot(const std::string& root, const std::string& path) {
  if (path.empty() || root.empty() || root == "/") return path;
  std::string r = root;
  while (!r.empty() && r.back() == '/') r.pop_back();
  return r + path;
}

class CurlStream final : public core::ByteSource {
 public:
  CurlStream(core::FetchSpec spec, std::string root) : spec_(std::move(spec)), root_(std::move(root)) {}
  ~CurlStream() override { Stop(); }
  CurlStream(const CurlStream&) = delete;
  CurlStream& operator=(const CurlStream&) = delete;

  Status Begin() {
    multi_.reset(curl_multi_init());
    if (!multi_) return Fail(Errc::kFailed, "curl_multi_init failed");
    KUBEOS_TRY(StartAttempt());
    // Wait for the first body bytes (or the end), so TLS, HTTP status and certificate problems
    // surface from Open rather than from the first Read.
    while (pending() == 0 && !finished_) KUBEOS_TRY(Pump());
    return {};
  }

  Result<size_t> Read(std::span<std::byte> out) override {
    while (pending() == 0 && !finished_) KUBEOS_TRY(Pump());
    const size_t n = std::min(out.size(), pending());
    std::memcpy(out.data(), buffer_.data() + buffer_pos_, n);
    buffer_pos_ += n;
    if (buffer_pos_ == buffer_.size()) {
      buffer_.clear();
      buffer_pos_ = 0;
    }
    return n;
  }

  std::optional<uint64_t> TotalSize() const override { return total_; }

 private:
  size_t pending() const { return buffer_.size() - buffer_pos_; }

  Status StartAttempt() {
    easy_.reset(curl_easy_init());
    if (!easy_) return Fail(Errc::kFailed, "curl_easy_init failed");
    CURL* c = easy_.get();
    checked_response_ = false;
    error_[0] = '\0';
    const bool https = spec_.url.size() >= 6 && strncasecmp(spec_.url.c_str(), "https:", 6) == 0;
    curl_easy_setopt(c, CURLOPT_URL, spec_.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    // A redirect may never downgrade https to http.
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(spec_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(spec_.stall_timeout.count()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CurlStream::OnWrite);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &CurlStream::OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    if (https) {
      // Only the configured CA is trusted: the system store must not vouch for the image server.
      const std::string ca = JoinRoot(root_, spec_.ca_file);
      curl_easy_setopt(c, CURLOPT_CAINFO, ca.c_str());
      curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
      if (!spec_.client_cert_file.empty()) {
        const std::string cert = JoinRoot(root_, spec_.client_cert_file);
        const std::string key = JoinRoot(root_, spec_.client_key_file);
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY, key.c_str());
      }
    }
    std::string range;
    if (received_ > 0) {
      range = std::to_string(received_) + "-";
      curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
    }
    if (curl_multi_add_handle(multi_.get(), c) != CURLM_OK) {
      return Fail(Errc::kFailed, "curl_multi_add_handle failed");
    }
    return {};
  }

  void Stop() {
    if (easy_ && multi_) curl_multi_remove_handle(multi_.get(), easy_.get());
    easy_.reset();
  }

  // One round of network I/O; on a dropped connection starts the resumed request.
  Status Pump() {
    if (paused_) {
      paused_ = false;
      curl_easy_pause(easy_.get(), CURLPAUSE_CONT);  // may deliver the held data right away
      if (pending() > 0) return {};
    }
    int running = 0;
    if (curl_multi_perform(multi_.get(), &running) != CURLM_OK) {
      return Fail(Errc::kDownloadFailed, "download " + spec_.url + ": curl_multi_perform failed");
    }
    if (!running) return Finish();
    if (pending() == 0 && !paused_) curl_multi_poll(multi_.get(), nullptr, 0, 1000, nullptr);
    return {};
  }

  Status Finish() {
    CURLcode code = CURLE_OK;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
      if (msg->msg == CURLMSG_DONE) code = msg->data.result;
    }
    if (code == CURLE_OK && !failure_ && total_ && received_ < *total_) code = CURLE_PARTIAL_FILE;
    Stop();
    if (failure_) return std::unexpected(*std::exchange(failure_, std::nullopt));
    if (code == CURLE_OK) {
      finished_ = true;
      return {};
    }
    if (code == CURLE_ABORTED_BY_CALLBACK) return Fail(Errc::kCancelled, "download cancelled");
    const std::string why = std::string(curl_easy_strerror(code)) + (error_[0] ? ": " : "") + error_;
    // A server that never delivered a byte refused us (TLS, HTTP status): retrying cannot help.
    const bool progressed = received_ > 0;
    if (!IsTransient(code) || !progressed || retries_ >= spec_.max_retries) {
      return Fail(Errc::kDownloadFailed, "download " + spec_.url + ": " + why);
    }
    ++retries_;
    log::Warning("download interrupted at byte " + std::to_string(received_) + " (" + why +
                     "), resuming, attempt " + std::to_string(retries_),
                 {{"URL", spec_.url}});
    // Back off a little without sleeping through a cancel.
    for (int i = 0; i < retries_ * 5; ++i) {
      if (spec_.cancelled && spec_.cancelled()) return Fail(Errc::kCancelled, "download cancelled");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return StartAttempt();
  }

  // The first body bytes of an attempt: a resumed request must answer 206 from our offset,
  // else the bytes would be spliced at the wrong place.
  bool CheckResponse() {
    checked_response_ = true;
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    curl_off_t length = -1;
    curl_easy_getinfo(easy_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (received_ == 0) {
      if (length >= 0) total_ = static_cast<uint64_t>(length);
      return true;
    }
    if (status != 206) {
      failure_ = Error{Errc::kDownloadFailed, "download " + spec_.url + ": server answered " +
                                                  std::to_string(status) + " to a resume request"};
      return false;
    }
    if (length >= 0 && total_ && received_ + static_cast<uint64_t>(length) != *total_) {
      failure_ = Error{Errc::kDownloadFailed, "download " + spec_.url + ": resumed length differs"};
      return false;
    }
    return true;
  }

  static size_t OnWrite(char* data, size_t size, size_t nmemb, void* user) {
    auto* self = static_cast<CurlStream*>(user);
    const size_t n = size * nmemb;
    if (!self->checked_response_ && !self->CheckResponse()) return CURL_WRITEFUNC_ERROR;
    if (self->pending() >= kMaxBuffered) {
      self->paused_ = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    if (self->buffer_pos_ > 0) {
      self->buffer_.erase(self->buffer_.begin(),
                          self->buffer_.begin() + static_cast<std::ptrdiff_t>(self->buffer_pos_));
      self->buffer_pos_ = 0;
    }
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    self->buffer_.insert(self->buffer_.end(), bytes, bytes + n);
    self->received_ += n;
    return n;
  }

  static int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* self = static_cast<CurlStream*>(user);
    return self->spec_.cancelled && self->spec_.cancelled() ? 1 : 0;
  }

  core::FetchSpec spec_;
  std::string root_;
  std::unique_ptr<CURLM, CurlMultiDeleter> multi_;
  std::unique_ptr<CURL, CurlEasyDeleter> easy_;
  char error_[CURL_ERROR_SIZE] = {};
  std::vector<std::byte> buffer_;
  size_t buffer_pos_ = 0;
  uint64_t received_ = 0;  // body bytes received over all attempts = the resume offset
  std::optional<uint64_t> total_;
  std::optional<Error> failure_;
  int retries_ = 0;
  bool checked_response_ = false;
  bool paused_ = false;
  bool finished_ = false;
};

}  // namespace

CurlFetcher::CurlFetcher(std::string root) : root_(std::move(root)) {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

Result<std::unique_ptr<core::ByteSource>> CurlFetcher::Open(const core::FetchSpec& spec) {
  auto stream = std::make_unique<CurlStream>(spec, root_);
  KUBEOS_TRY(stream->Begin());
  return std::unique_ptr<core::ByteSource>(std::move(stream));
}

}  // namespace kubeos::platform
