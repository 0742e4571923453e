// SPDX-License-Identifier: MulanPSL-2.0
// KubeApi over libcurl: HTTPS with bearer token or client certificate, JSON
// bodies.
#pragma once

#include <atomic>
#include <cstdint>

#include "kube/kube_api.h"
#include "kube/kubeconfig.h"

namespace kubeos::kube {

class CurlKubeApi final : public KubeApi {
 public:
  explicit CurlKubeApi(KubeConfig config);

  KubeResult<Json> Get(const Resource& r, const std::string& ns, const std::string& name) override;
  KubeResult<Json> List(const Resource& r,
                        const std::string& ns,
                        const ListOptions& options) override;
  KubeResult<Json> Create(const Resource& r, const std::string& ns, const Json& object) override;
  KubeResult<Json> MergePatch(const Resource& r,
                              const std::string& ns,
                              const std::string& name,
                              const Json& patch,
                              const std::string& subresource) override;
  KubeResult<void> Delete(const Resource& r,
                          const std::string& ns,
                          const std::string& name) override;
  KubeResult<Json> CreateSubresource(const Resource& r,
                                     const std::string& ns,
                                     const std::string& name,
                                     const std::string& subresource,
                                     const Json& body) override;
  KubeResult<void> Watch(const Resource& r,
                         const std::string& ns,
                         const WatchOptions& options,
                         const std::function<bool(const WatchEvent&)>& on_event,
                         const std::atomic<bool>& stop) override;

  // Requests sent so far (for the metrics endpoint).
  [[nodiscard]] std::uint64_t RequestCount() const { return requests_.load(); }

 private:
  struct Response {
    long status = 0;
    std::string body;
  };
  KubeResult<Response> Send(const std::string& method,
                            const std::string& path_and_query,
                            const std::string& content_type,
                            const std::string& body);
  KubeResult<Json> SendJson(const std::string& method,
                            const std::string& path_and_query,
                            const std::string& content_type,
                            const Json* body);
  void ConfigureHandle(void* curl, bool force_token_reload);

  KubeConfig config_;
  std::atomic<std::uint64_t> requests_{0};
};

// "/api/v1/namespaces/ns/pods/name/status" for the parts given.
std::string ResourcePath(const Resource& r,
                         const std::string& ns,
                         const std::string& name = "",
                         const std::string& subresource = "");

}  // namespace kubeos::kube
