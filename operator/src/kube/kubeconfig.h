// SPDX-License-Identifier: MulanPSL-2.0
// Where the API server is and how to authenticate: from a kubeconfig file or
// in-cluster.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "base/error.h"

namespace kubeos::kube {

// A bearer token that is either fixed or read from a file and re-read when the
// file changes (service-account tokens are rotated by the kubelet).
class TokenSource {
 public:
  TokenSource() = default;
  static TokenSource Fixed(std::string token);
  static TokenSource FromFile(std::filesystem::path path);

  TokenSource(const TokenSource& other);
  TokenSource& operator=(const TokenSource& other);

  // The current token ("" when there is none). Re-reads the file when its mtime
  // or size changed or when |force_reload| (after a 401).
  [[nodiscard]] std::string Token(bool force_reload = false);

 private:
  mutable std::mutex mutex_;
  std::string token_;
  std::filesystem::path path_;
  std::filesystem::file_time_type mtime_{};
  std::uintmax_t size_ = 0;
};

struct KubeConfig {
  std::string server;   // https://host:port, no trailing slash
  std::string ca_file;  // PEM file, or…
  std::string ca_data;  // …PEM text (decoded *-data)
  std::string client_cert_file, client_cert_data;
  std::string client_key_file, client_key_data;
  bool insecure_skip_tls_verify = false;
  std::string namespace_ = "default";
  TokenSource token;
};

// Loads the current context of a kubeconfig file; relative paths are relative
// to its folder.
Result<KubeConfig> LoadKubeConfig(const std::filesystem::path& path);

// In-cluster: KUBERNETES_SERVICE_HOST/PORT and the service-account files under
// |sa_dir|.
Result<KubeConfig> LoadInClusterConfig(
    const std::filesystem::path& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// --kubeconfig if given, else $KUBECONFIG (first entry), else in-cluster, else
// ~/.kube/config.
Result<KubeConfig> LoadDefaultConfig(const std::string& kubeconfig_flag);

}  // namespace kubeos::kube
