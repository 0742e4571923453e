// SPDX-License-Identifier: MulanPSL-2.0
#include "kube/kubeconfig.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kubeos::kube {
namespace fs = std::filesystem;

namespace {

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Errc::kIo, "read " + path.string() + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<std::string> DecodeBase64(const std::string& in) {
  std::string clean;
  for (char c : in) {
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  }
  std::string out(clean.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return Fail(Errc::kInvalidArgs, "bad base64");
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (clean.size() >= 1 && clean.back() == '=') --len;
  if (clean.size() >= 2 && clean[clean.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

const YAML::Node FindNamed(const YAML::Node& list, const std::string& name) {
  if (list && list.IsSequence()) {
    for (const auto& item : list) {
      if (item["name"] && item["name"].as<std::string>() == name) return item;
    }
  }
  return YAML::Node();
}

std::string Str(const YAML::Node& n, const char* key) {
  return n && n[key] ? n[key].as<std::string>() : std::string();
}

}  // namespace

TokenSource TokenSource::Fixed(std::string token) {
  TokenSource t;
  t.token_ = std::move(token);
  return t;
}

TokenSource TokenSource::FromFile(fs::path path) {
  TokenSource t;
  t.path_ = std::move(path);
  return t;
}

TokenSource::TokenSource(const TokenSource& other) { *this = other; }

TokenSource& TokenSource::operator=(const TokenSource& other) {
  if (this == &other) return *this;
  std::scoped_lock lock(mutex_, other.mutex_);
  token_ = other.token_;
  path_ = other.path_;
  mtime_ = other.mtime_;
  size_ = other.size_;
  return *this;
}

std::string TokenSource::Token(bool force_reload) {
  std::lock_guard lock(mutex_);
  if (path_.empty()) return token_;
  std::error_code ec;
  auto mtime = fs::last_write_time(path_, ec);
  auto size = ec ? 0 : fs::file_size(path_, ec);
  if (!ec && (force_reload || token_.empty() || mtime != mtime_ || size != size_)) {
    if (auto text = ReadFile(path_)) {
      token_ = Trim(*text);
      mtime_ = mtime;
      size_ = size;
    }
  }
  return token_;
}

Result<KubeConfig> LoadKubeConfig(const fs::path& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    return Fail(Errc::kInvalidArgs, "kubeconfig " + path.string() + ": " + e.what());
  }
  const fs::path base = path.parent_path();
  auto resolve = [&](const std::string& p) {
    return p.empty() || fs::path(p).is_absolute() ? p : (base / p).string();
  };
  const std::string current = Str(root, "current-context");
  const YAML::Node context = FindNamed(root["contexts"], current)["context"];
  if (!context) return Fail(Errc::kInvalidArgs, "kubeconfig: no context " + current);
  const YAML::Node cluster = FindNamed(root["clusters"], Str(context, "cluster"))["cluster"];
  const YAML::Node user = FindNamed(root["users"], Str(context, "user"))["user"];
  if (!cluster) return Fail(Errc::kInvalidArgs, "kubeconfig: context has no cluster");

  KubeConfig c;
  c.server = Str(cluster, "server");
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  c.ca_file = resolve(Str(cluster, "certificate-authority"));
  c.insecure_skip_tls_verify =
      cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>();
  if (auto ns = Str(context, "namespace"); !ns.empty()) c.namespace_ = ns;
  auto data = [&](const YAML::Node& n, const char* key, std::string& out) -> Status {
    if (auto b64 = Str(n, key); !b64.empty()) {
      KUBEOS_ASSIGN_OR_RETURN(out, DecodeBase64(b64));
    }
    return {};
  };
  KUBEOS_TRY(data(cluster, "certificate-authority-data", c.ca_data));
  if (user) {
    c.client_cert_file = resolve(Str(user, "client-certificate"));
    c.client_key_file = resolve(Str(user, "client-key"));
    KUBEOS_TRY(data(user, "client-certificate-data", c.client_cert_data));
    KUBEOS_TRY(data(user, "client-key-data", c.client_key_data));
    if (auto t = Str(user, "token"); !t.empty()) {
      c.token = TokenSource::Fixed(t);
    } else if (auto f = Str(user, "tokenFile"); !f.empty()) {
      c.token = TokenSource::FromFile(resolve(f));
    }
  }
  if (c.server.empty()) return Fail(Errc::kInvalidArgs, "kubeconfig: cluster has no server");
  return c;
}

Result<KubeConfig> LoadInClusterConfig(const fs::path& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr) {
    return Fail(Errc::kInvalidArgs, "not in a cluster: KUBERNETES_SERVICE_HOST/PORT unset");
  }
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 literal
  KubeConfig c;
  c.server = "https://" + h + ":" + port;
  c.ca_file = (sa_dir / "ca.crt").string();
  c.token = TokenSource::FromFile(sa_dir / "token");
  if (auto ns = ReadFile(sa_dir / "namespace")) c.namespace_ = Trim(*ns);
  return c;
}

Result<KubeConfig> LoadDefaultConfig(const std::string& kubeconfig_flag) {
  if (!kubeconfig_flag.empty()) return LoadKubeConfig(kubeconfig_flag);
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    return LoadKubeConfig(first);
  }
  if (std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) return LoadInClusterConfig();
  const char* home = std::getenv("HOME");
  return LoadKubeConfig(fs::path(home != nullptr ? home : "/root") / ".kube" / "config");
}

}  // namespace kubeos::kube
