// SPDX-License-Identifier: MulanPSL-2.0
// The port through which the operator talks to the Kubernetes API server (real:
// CurlKubeApi).
#pragma once

#include <atomic>
#include <expected>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"

namespace kubeos::kube {

using Json = nlohmann::json;

// A REST resource: "/api/v1" + "nodes", or
// "/apis/upgrade.openeuler.org/v1alpha1" + "os".
struct Resource {
  std::string group_version_path;
  std::string plural;
  bool namespaced = true;
};

inline const Resource kNodes{"/api/v1", "nodes", false};
inline const Resource kEvents{"/api/v1", "events", true};
inline const Resource kLeases{"/apis/coordination.k8s.io/v1", "leases", true};
inline const Resource kOS{"/apis/upgrade.openeuler.org/v1alpha1", "os", true};
inline const Resource kOSInstances{"/apis/upgrade.openeuler.org/v1alpha1", "osinstances", true};
inline const Resource kPods{"/api/v1", "pods", true};

// An API failure. |http_status| is 0 for transport errors (connection refused,
// TLS, timeout).
struct KubeError {
  int http_status = 0;
  std::string reason;  // Status.reason, e.g. "NotFound", "Conflict", "Expired"
  std::string message;

  [[nodiscard]] bool NotFound() const { return http_status == 404; }
  [[nodiscard]] bool Conflict() const { return http_status == 409; }
  [[nodiscard]] bool AlreadyExists() const {
    return http_status == 409 && reason == "AlreadyExists";
  }
  [[nodiscard]] bool Gone() const { return http_status == 410; }
  [[nodiscard]] std::string ToString() const;
  [[nodiscard]] Error ToError() const { return Error{Errc::kFailed, ToString()}; }
};

template <typename T>
using KubeResult = std::expected<T, KubeError>;

// Decodes a metav1.Status body (or any body) into a KubeError for
// |http_status|.
KubeError ErrorFromStatus(int http_status, const Json& body);

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;
};

struct WatchOptions {
  std::string resource_version;
  std::string label_selector;
  std::string field_selector;
  int timeout_seconds = 60;
  bool bookmarks = true;
};

// One watch event: type is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
struct WatchEvent {
  std::string type;
  Json object;
};

class KubeApi {
 public:
  virtual ~KubeApi() = default;

  virtual KubeResult<Json> Get(const Resource& r,
                               const std::string& ns,
                               const std::string& name) = 0;
  // All pages of a list, as one List object with "items" and
  // metadata.resourceVersion.
  virtual KubeResult<Json> List(const Resource& r,
                                const std::string& ns,
                                const ListOptions& options) = 0;
  virtual KubeResult<Json> Create(const Resource& r, const std::string& ns, const Json& object) = 0;
  // JSON merge patch (RFC 7386); |subresource| is "" or "status". A patch
  // carrying metadata.resourceVersion fails with 409 when the object changed
  // meanwhile.
  virtual KubeResult<Json> MergePatch(const Resource& r,
                                      const std::string& ns,
                                      const std::string& name,
                                      const Json& patch,
                                      const std::string& subresource = "") = 0;
  virtual KubeResult<void> Delete(const Resource& r,
                                  const std::string& ns,
                                  const std::string& name) = 0;
  // POST |body| to a subresource of one object, e.g. a pod's "eviction" (the proxy's drain).
  // Implementations without it answer with a transport-level error.
  virtual KubeResult<Json> CreateSubresource(const Resource& r,
                                             const std::string& ns,
                                             const std::string& name,
                                             const std::string& subresource,
                                             const Json& body);
  // Streams events to |on_event| until the server ends the stream, |on_event|
  // returns false, |stop| becomes true, or the connection fails. An expired
  // resourceVersion shows up either as an HTTP 410 error or as an ERROR event
  // whose object is a Status with code 410.
  virtual KubeResult<void> Watch(const Resource& r,
                                 const std::string& ns,
                                 const WatchOptions& options,
                                 const std::function<bool(const WatchEvent&)>& on_event,
                                 const std::atomic<bool>& stop) = 0;
};

// Reads the object fresh, applies |mutate| to build a merge patch and sends it
// with the read resourceVersion; on 409 starts over, up to |attempts| times.
// |mutate| returns nullopt-like null Json to mean "nothing to change".
KubeResult<Json> PatchWithRetry(KubeApi& api,
                                const Resource& r,
                                const std::string& ns,
                                const std::string& name,
                                const std::function<Json(const Json& current)>& mutate,
                                const std::string& subresource = "",
                                int attempts = 5);

}  // namespace kubeos::kube
