// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/url_policy.h"

#include <algorithm>
#include <cctype>

namespace kubeos::core::upgrade {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char a, char b) { return Lower(a) == Lower(b); });
}

bool HasSpaceOrControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

Result<UrlScheme> CheckImageUrl(std::string_view url, bool flag_safe) {
  if (url.empty()) return Fail(Errc::kInvalidArgs, "image-url is empty");
  if (HasSpaceOrControl(url)) {
    return Fail(Errc::kInvalidArgs, "image-url contains whitespace or control characters");
  }
  UrlScheme scheme;
  std::string_view rest;
  if (StartsWithNoCase(url, "https://")) {
    scheme = UrlScheme::kHttps;
    rest = url.substr(8);
  } else if (StartsWithNoCase(url, "http://")) {
    scheme = UrlScheme::kHttp;
    rest = url.substr(7);
  } else {
    return Fail(Errc::kUnsafeUrl, "image-url must be http or https: " + std::string(url));
  }
  // The authority must name a host: "https:///etc/passwd" would otherwise reach curl.
  if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#') {
    return Fail(Errc::kInvalidArgs, "image-url has no host: " + std::string(url));
  }
  if (scheme == UrlScheme::kHttp && !flag_safe) {
    return Fail(Errc::kUnsafeUrl, "image-url " + std::string(url) +
                                      " is unsafe (plain http) and flag-safe is not set");
  }
  return scheme;
}

Result<std::string> CertPath(std::string_view certs_dir,
                             std::string_view name,
                             std::string_view option) {
  const std::string what = std::string(option) + " '" + std::string(name) + "'";
  if (name.empty()) return Fail(Errc::kInvalidArgs, std::string(option) + " is required");
  if (name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      HasSpaceOrControl(name) || name.find("..") != std::string_view::npos) {
    return Fail(Errc::kInvalidArgs,
                what + " must be a plain file name inside " + std::string(certs_dir));
  }
  std::string path(certs_dir);
  if (path.empty() || path.back() != '/') path += '/';
  return path + std::string(name);
}

Result<FetchSpec> PlanFetch(const UpgradeRequest& request, std::string_view certs_dir) {
  KUBEOS_ASSIGN_OR_RETURN(const UrlScheme scheme,
                          CheckImageUrl(request.image_url, request.flag_safe));
  FetchSpec spec;
  spec.url = request.image_url;
  if (scheme == UrlScheme::kHttp) {
    // Certificates on plain http would suggest a protection that does not exist.
    if (request.mtls) return Fail(Errc::kInvalidArgs, "mtls needs an https image-url");
    return spec;
  }
  KUBEOS_ASSIGN_OR_RETURN(spec.ca_file, CertPath(certs_dir, request.ca_cert, "ca-cert"));
  if (request.mtls) {
    KUBEOS_ASSIGN_OR_RETURN(spec.client_cert_file,
                            CertPath(certs_dir, request.client_cert, "client-cert"));
    KUBEOS_ASSIGN_OR_RETURN(spec.client_key_file,
                            CertPath(certs_dir, request.client_key, "client-key"));
  }
  return spec;
}

bool IsSha256Hex(std::string_view checksum) {
  return checksum.size() == 64 && std::all_of(checksum.begin(), checksum.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

bool SameDigest(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

}  // namespace kubeos::core::upgrade
