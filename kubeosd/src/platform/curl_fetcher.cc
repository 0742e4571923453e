// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/curl_fetcher.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/log.h"

namespace kubeos::platform {
namespace {

// Bytes received but not yet consumed. The transfer runs on its own thread so the network keeps
// flowing while the consumer hashes and writes; when this much is waiting, the transfer blocks,
// so memory stays bounded however fast the network is compared with the disk.
constexpr size_t kRingSize = 8 * 1024 * 1024;

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
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

// A fixed-size byte ring: one producer (the transfer), one consumer (Read), under the caller's
// lock.
class Ring {
 public:
  explicit Ring(size_t capacity) : data_(capacity) {}
  size_t size() const { return size_; }
  size_t free() const { return data_.size() - size_; }
  void Push(const std::byte* p, size_t n) {
    for (size_t done = 0; done < n;) {
      const size_t at = (head_ + size_) % data_.size();
      const size_t k = std::min(n - done, data_.size() - at);
      std::memcpy(data_.data() + at, p + done, k);
      size_ += k;
      done += k;
    }
  }
  size_t Pop(std::byte* out, size_t n) {
    n = std::min(n, size_);
    for (size_t done = 0; done < n;) {
      const size_t k = std::min(n - done, data_.size() - head_);
      std::memcpy(out + done, data_.data() + head_, k);
      head_ = (head_ + k) % data_.size();
      size_ -= k;
      done += k;
    }
    return n;
  }

 private:
  std::vector<std::byte> data_;
  size_t head_ = 0;
  size_t size_ = 0;
};

class CurlStream final : public core::ByteSource {
 public:
  CurlStream(core::FetchSpec spec, std::string root)
      : spec_(std::move(spec)), root_(std::move(root)), ring_(kRingSize) {}
  ~CurlStream() override {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  CurlStream(const CurlStream&) = delete;
  CurlStream& operator=(const CurlStream&) = delete;

  Status Begin() {
    thread_ = std::thread(&CurlStream::Transfer, this);
    // Wait for the first body bytes (or the end), so TLS, HTTP status and certificate problems
    // surface from Open rather than from the first Read.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ring_.size() > 0 || done_; });
    if (ring_.size() == 0 && failure_) return std::unexpected(*failure_);
    return {};
  }

  Result<size_t> Read(std::span<std::byte> out) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ring_.size() > 0 || done_; });
    if (ring_.size() == 0) {
      if (failure_) return std::unexpected(*failure_);
      return size_t{0};
    }
    const size_t n = ring_.Pop(out.data(), out.size());
    lock.unlock();
    cv_.notify_all();
    return n;
  }

  std::optional<uint64_t> TotalSize() const override {
    std::lock_guard lock(mu_);
    return total_;
  }

 private:
  bool Cancelled() const { return spec_.cancelled && spec_.cancelled(); }

  // The transfer thread: attempts until the body is complete, a permanent error, or the retry
  // budget is spent; each resumed attempt asks for the bytes from where the last one stopped.
  void Transfer() {
    std::optional<Error> result;
    for (;;) {
      const Status attempt = Attempt();
      if (attempt) break;
      if (!retry_) {
        result = attempt.error();
        break;
      }
      retry_ = false;
    }
    {
      std::lock_guard lock(mu_);
      failure_ = std::move(result);
      done_ = true;
    }
    cv_.notify_all();
  }

  Status Attempt() {
    std::unique_ptr<CURL, CurlEasyDeleter> easy(curl_easy_init());
    if (!easy) return Fail(Errc::kFailed, "curl_easy_init failed");
    CURL* c = easy.get();
    easy_ = c;
    checked_response_ = false;
    error_[0] = '\0';
    const bool https = strncasecmp(spec_.url.c_str(), "https:", 6) == 0;
    const std::string ca = JoinRoot(root_, spec_.ca_file);
    const std::string cert = JoinRoot(root_, spec_.client_cert_file);
    const std::string key = JoinRoot(root_, spec_.client_key_file);
    const std::string range = std::to_string(received_) + "-";
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
    // Bigger socket reads mean fewer callbacks and copies per MiB (the default is 16 KiB).
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CurlStream::OnWrite);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &CurlStream::OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    if (https) {
      // Only the configured CA is trusted: the system store must not vouch for the image server.
      curl_easy_setopt(c, CURLOPT_CAINFO, ca.c_str());
      curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
      if (!spec_.client_cert_file.empty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY, key.c_str());
      }
    }
    if (received_ > 0) curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());

    CURLcode code = curl_easy_perform(c);
    easy_ = nullptr;
    if (code == CURLE_OK && !failure_in_callback_) {
      std::lock_guard lock(mu_);
      if (total_ && received_ < *total_) code = CURLE_PARTIAL_FILE;
    }
    if (failure_in_callback_)
      return std::unexpected(*std::exchange(failure_in_callback_, std::nullopt));
    if (code == CURLE_OK) return {};
    if (code == CURLE_ABORTED_BY_CALLBACK || closing()) {
      return Fail(Errc::kCancelled, "download cancelled");
    }
    const std::string why =
        std::string(curl_easy_strerror(code)) + (error_[0] ? ": " : "") + error_;
    // A server that never delivered a byte refused us (TLS, HTTP status): retrying cannot help.
    if (!IsTransient(code) || received_ == 0 || retries_ >= spec_.max_retries) {
      return Fail(Errc::kDownloadFailed, "download " + spec_.url + ": " + why);
    }
    ++retries_;
    log::Warning("download interrupted at byte " + std::to_string(received_) + " (" + why +
                     "), resuming, attempt " + std::to_string(retries_),
                 {{"URL", spec_.url}});
    // Back off a little, waking up at once for a cancel or the consumer going away.
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(500) * retries_,
                 [&] { return closing_ || Cancelled(); });
    if (closing_ || Cancelled()) return Fail(Errc::kCancelled, "download cancelled");
    retry_ = true;
    return Fail(Errc::kDownloadFailed, why);
  }

  bool closing() const {
    std::lock_guard lock(mu_);
    return closing_;
  }

  // The first body bytes of an attempt: a resumed request must answer 206 from our offset,
  // else the bytes would be spliced at the wrong place.
  bool CheckResponse() {
    checked_response_ = true;
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t length = -1;
    curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    std::lock_guard lock(mu_);
    if (received_ == 0) {
      if (length >= 0) total_ = static_cast<uint64_t>(length);
      return true;
    }
    if (status != 206) {
      failure_in_callback_ =
          Error{Errc::kDownloadFailed, "download " + spec_.url + ": server answered " +
                                           std::to_string(status) + " to a resume request"};
      return false;
    }
    if (length >= 0 && total_ && received_ + static_cast<uint64_t>(length) != *total_) {
      failure_in_callback_ =
          Error{Errc::kDownloadFailed, "download " + spec_.url + ": resumed length differs"};
      return false;
    }
    return true;
  }

  static size_t OnWrite(char* data, size_t size, size_t nmemb, void* user) {
    auto* self = static_cast<CurlStream*>(user);
    const size_t n = size * nmemb;
    if (!self->checked_response_ && !self->CheckResponse()) return CURL_WRITEFUNC_ERROR;
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    size_t done = 0;
    std::unique_lock lock(self->mu_);
    while (done < n) {
      self->cv_.wait(lock, [&] { return self->ring_.free() > 0 || self->closing_; });
      if (self->closing_) return CURL_WRITEFUNC_ERROR;
      const size_t k = std::min(n - done, self->ring_.free());
      self->ring_.Push(bytes + done, k);
      self->received_ += k;
      done += k;
      self->cv_.notify_all();
    }
    return n;
  }

  static int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* self = static_cast<CurlStream*>(user);
    return self->closing() || self->Cancelled() ? 1 : 0;
  }

  const core::FetchSpec spec_;
  const std::string root_;
  std::thread thread_;

  // Owned by the transfer thread.
  CURL* easy_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
  std::optional<Error> failure_in_callback_;
  int retries_ = 0;
  bool retry_ = false;
  bool checked_response_ = false;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Ring ring_;                      // guarded by mu_
  uint64_t received_ = 0;          // guarded by mu_: body bytes over all attempts = resume offset
  std::optional<uint64_t> total_;  // guarded by mu_
  std::optional<Error> failure_;   // guarded by mu_: why the transfer ended, nullopt = complete
  bool done_ = false;              // guarded by mu_
  bool closing_ = false;           // guarded by mu_: the consumer went away
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
