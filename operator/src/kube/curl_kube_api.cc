// SPDX-License-Identifier: MulanPSL-2.0
#include "kube/curl_kube_api.h"

#include <curl/curl.h>

#include <memory>

namespace kubeos::kube {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      static const char* kHex = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void SetBlob(CURL* c, CURLoption option, const std::string& data) {
  curl_blob blob{const_cast<char*>(data.data()), data.size(), CURL_BLOB_COPY};
  curl_easy_setopt(c, option, &blob);
}

// Splits a watch stream into lines and hands each decoded event on.
struct WatchState {
  std::string buffer;
  const std::function<bool(const WatchEvent&)>* on_event = nullptr;
  const std::atomic<bool>* stop = nullptr;
  bool stopped_by_callback = false;
  long status = 0;
  std::string error_body;
};

size_t WatchWrite(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<WatchState*>(user);
  if (st->status != 200) {  // an error response: keep the Status body
    st->error_body.append(data, size * n);
    return size * n;
  }
  st->buffer.append(data, size * n);
  std::size_t pos;
  while ((pos = st->buffer.find('\n')) != std::string::npos) {
    std::string line = st->buffer.substr(0, pos);
    st->buffer.erase(0, pos + 1);
    if (line.empty()) continue;
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;  // a malformed line is skipped, not fatal
    WatchEvent ev{j.value("type", ""), j.value("object", Json())};
    if (!(*st->on_event)(ev)) {
      st->stopped_by_callback = true;
      return 0;  // aborts the transfer
    }
  }
  return size * n;
}

size_t WatchHeader(char* data, size_t size, size_t n, void* user) {
  auto* st = static_cast<WatchState*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    auto sp = line.find(' ');
    if (sp != std::string::npos) st->status = std::strtol(line.c_str() + sp + 1, nullptr, 10);
  }
  return size * n;
}

int WatchProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<WatchState*>(user)->stop->load() ? 1 : 0;
}

}  // namespace

std::string ResourcePath(const Resource& r,
                         const std::string& ns,
                         const std::string& name,
                         const std::string& subresource) {
  std::string p = r.group_version_path;
  if (r.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + r.plural;
  if (!name.empty()) p += "/" + name;
  if (!subresource.empty()) p += "/" + subresource;
  return p;
}

CurlKubeApi::CurlKubeApi(KubeConfig config) : config_(std::move(config)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

void CurlKubeApi::ConfigureHandle(void* handle, bool force_token_reload) {
  auto* c = static_cast<CURL*>(handle);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  if (!config_.ca_data.empty()) SetBlob(c, CURLOPT_CAINFO_BLOB, config_.ca_data);
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (config_.insecure_skip_tls_verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config_.client_cert_data.empty()) SetBlob(c, CURLOPT_SSLCERT_BLOB, config_.client_cert_data);
  if (!config_.client_cert_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, config_.client_cert_file.c_str());
  }
  if (!config_.client_key_data.empty()) SetBlob(c, CURLOPT_SSLKEY_BLOB, config_.client_key_data);
  if (!config_.client_key_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLKEY, config_.client_key_file.c_str());
  }
  if (auto token = config_.token.Token(force_token_reload); !token.empty()) {
    curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, token.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
  }
}

KubeResult<CurlKubeApi::Response> CurlKubeApi::Send(const std::string& method,
                                                    const std::string& path_and_query,
                                                    const std::string& content_type,
                                                    const std::string& body) {
  for (int attempt = 0;; ++attempt) {
    CurlPtr c(curl_easy_init());
    if (!c) return std::unexpected(KubeError{0, "", "curl_easy_init failed"});
    ConfigureHandle(c.get(), attempt > 0);
    std::string url = config_.server + path_and_query;
    Response resp;
    curl_slist* raw_headers = curl_slist_append(nullptr, "Accept: application/json");
    if (!content_type.empty()) {
      raw_headers = curl_slist_append(raw_headers, ("Content-Type: " + content_type).c_str());
    }
    SlistPtr headers(raw_headers);
    curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &resp.body);
    if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
      curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    ++requests_;
    CURLcode rc = curl_easy_perform(c.get());
    if (rc != CURLE_OK) {
      return std::unexpected(
          KubeError{0, "", method + " " + path_and_query + ": " + curl_easy_strerror(rc)});
    }
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &resp.status);
    // A rotated service-account token: read the file again once and retry.
    if (resp.status == 401 && attempt == 0) continue;
    return resp;
  }
}

KubeResult<Json> CurlKubeApi::SendJson(const std::string& method,
                                       const std::string& path_and_query,
                                       const std::string& content_type,
                                       const Json* body) {
  auto resp = Send(method, path_and_query, content_type, body != nullptr ? body->dump() : "");
  if (!resp) return std::unexpected(resp.error());
  Json j = Json::parse(resp->body, nullptr, false);
  if (j.is_discarded()) j = Json();
  if (resp->status < 200 || resp->status >= 300) {
    auto e = ErrorFromStatus(static_cast<int>(resp->status), j);
    e.message = method + " " + path_and_query + ": " + e.message;
    return std::unexpected(e);
  }
  return j;
}

KubeResult<Json> CurlKubeApi::Get(const Resource& r,
                                  const std::string& ns,
                                  const std::string& name) {
  return SendJson("GET", ResourcePath(r, ns, name), "", nullptr);
}

KubeResult<Json> CurlKubeApi::List(const Resource& r,
                                   const std::string& ns,
                                   const ListOptions& options) {
  Json all;
  std::string cont;
  do {
    std::string q = "?limit=" + std::to_string(options.page_size);
    if (!options.label_selector.empty()) q += "&labelSelector=" + Escape(options.label_selector);
    if (!options.field_selector.empty()) q += "&fieldSelector=" + Escape(options.field_selector);
    if (!cont.empty()) q += "&continue=" + Escape(cont);
    auto page = SendJson("GET", ResourcePath(r, ns) + q, "", nullptr);
    // A 410 here means the continue token expired: the caller relists from
    // scratch.
    if (!page) return page;
    if (all.is_null()) {
      all = *page;
      all["items"] = Json::array();
    }
    for (auto& item : (*page)["items"]) all["items"].push_back(std::move(item));
    all["metadata"]["resourceVersion"] = (*page)["metadata"].value("resourceVersion", "");
    cont = (*page)["metadata"].value("continue", "");
  } while (!cont.empty());
  return all;
}

KubeResult<Json> CurlKubeApi::Create(const Resource& r, const std::string& ns, const Json& object) {
  return SendJson("POST", ResourcePath(r, ns), "application/json", &object);
}

KubeResult<Json> CurlKubeApi::MergePatch(const Resource& r,
                                         const std::string& ns,
                                         const std::string& name,
                                         const Json& patch,
                                         const std::string& subresource) {
  return SendJson("PATCH", ResourcePath(r, ns, name, subresource), "application/merge-patch+json",
                  &patch);
}

KubeResult<void> CurlKubeApi::Delete(const Resource& r,
                                     const std::string& ns,
                                     const std::string& name) {
  auto resp = SendJson("DELETE", ResourcePath(r, ns, name), "", nullptr);
  if (!resp) return std::unexpected(resp.error());
  return {};
}

KubeResult<Json> CurlKubeApi::CreateSubresource(const Resource& r,
                                                const std::string& ns,
                                                const std::string& name,
                                                const std::string& subresource,
                                                const Json& body) {
  return SendJson("POST", ResourcePath(r, ns, name, subresource), "application/json", &body);
}

KubeResult<void> CurlKubeApi::Watch(const Resource& r,
                                    const std::string& ns,
                                    const WatchOptions& options,
                                    const std::function<bool(const WatchEvent&)>& on_event,
                                    const std::atomic<bool>& stop) {
  std::string q = "?watch=1&timeoutSeconds=" + std::to_string(options.timeout_seconds);
  if (options.bookmarks) q += "&allowWatchBookmarks=true";
  if (!options.resource_version.empty())
    q += "&resourceVersion=" + Escape(options.resource_version);
  if (!options.label_selector.empty()) q += "&labelSelector=" + Escape(options.label_selector);
  if (!options.field_selector.empty()) q += "&fieldSelector=" + Escape(options.field_selector);
  const std::string path = ResourcePath(r, ns) + q;

  CurlPtr c(curl_easy_init());
  if (!c) return std::unexpected(KubeError{0, "", "curl_easy_init failed"});
  ConfigureHandle(c.get(), false);
  WatchState st;
  st.on_event = &on_event;
  st.stop = &stop;
  std::string url = config_.server + path;
  SlistPtr headers(curl_slist_append(nullptr, "Accept: application/json"));
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, WatchWrite);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c.get(), CURLOPT_HEADERFUNCTION, WatchHeader);
  curl_easy_setopt(c.get(), CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, WatchProgress);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, &st);
  // A half-open connection sends nothing: give up when the stream is silent
  // well past the server's own timeout.
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options.timeout_seconds + 30));
  ++requests_;
  CURLcode rc = curl_easy_perform(c.get());
  if (st.status != 0 && st.status != 200) {
    Json j = Json::parse(st.error_body, nullptr, false);
    return std::unexpected(
        ErrorFromStatus(static_cast<int>(st.status), j.is_discarded() ? Json() : j));
  }
  if (rc == CURLE_OK || st.stopped_by_callback || stop.load()) return {};
  return std::unexpected(KubeError{0, "", "watch " + path + ": " + curl_easy_strerror(rc)});
}

}  // namespace kubeos::kube
