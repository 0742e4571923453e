// SPDX-License-Identifier: MulanPSL-2.0
#include "core/requests.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace kubeos::core {
namespace {

enum class Kind { kString, kBool };

struct KeySpec {
  std::string_view name;
  Kind kind;
};

std::string_view Signature(Kind k) { return k == Kind::kString ? "s" : "b"; }

// Checks every key against |specs| before anything is interpreted, so a typo never becomes a
// silently ignored option.
Status CheckKeys(const Options& options, std::initializer_list<KeySpec> specs) {
  for (const auto& [key, value] : options) {
    const auto* spec =
        std::find_if(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.name == key; });
    if (spec == specs.end()) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + std::string(s.name);
      return Fail(Errc::kInvalidArgs, "unknown option '" + key + "' (known: " + known + ")");
    }
    const bool ok = spec->kind == Kind::kString ? std::holds_alternative<std::string>(value.value)
                                                : std::holds_alternative<bool>(value.value);
    if (!ok) {
      return Fail(Errc::kInvalidArgs, "option '" + key + "' must be of type '" +
                                          std::string(Signature(spec->kind)) + "', got '" +
                                          value.signature + "'");
    }
  }
  return {};
}

std::string GetString(const Options& options, std::string_view key) {
  auto it = options.find(key);
  return it == options.end() ? std::string() : std::get<std::string>(it->second.value);
}

bool GetBool(const Options& options, std::string_view key, bool fallback) {
  auto it = options.find(key);
  return it == options.end() ? fallback : std::get<bool>(it->second.value);
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; });
}

Status CheckText(std::string_view key, std::string_view value) {
  if (HasControlChars(value)) {
    return Fail(Errc::kInvalidArgs,
                "option '" + std::string(key) + "' contains control characters");
  }
  return {};
}

// Certificate options name a file inside the certs directory: a bare file name, nothing else.
Status CheckFileName(std::string_view key, std::string_view value) {
  if (value.empty()) return {};
  if (value.find('/') != std::string_view::npos || value == "." || value == ".." ||
      HasControlChars(value)) {
    return Fail(Errc::kInvalidArgs, "option '" + std::string(key) +
                                        "' must be a file name inside the certificate directory, "
                                        "got '" +
                                        std::string(value) + "'");
  }
  return {};
}

Status CheckChecksum(std::string_view value) {
  std::string_view hex = value;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  const bool ok = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                  });
  if (!ok) {
    return Fail(Errc::kInvalidArgs,
                "option 'checksum' must be a SHA-256 hex digest (64 hex digits), got '" +
                    std::string(value) + "'");
  }
  return {};
}

}  // namespace

Result<UpgradeRequest> DecodeUpgrade(const Options& options) {
  KUBEOS_TRY(CheckKeys(options, {{"version", Kind::kString},
                                 {"image-type", Kind::kString},
                                 {"image-url", Kind::kString},
                                 {"container-image", Kind::kString},
                                 {"checksum", Kind::kString},
                                 {"flag-safe", Kind::kBool},
                                 {"mtls", Kind::kBool},
                                 {"ca-cert", Kind::kString},
                                 {"client-cert", Kind::kString},
                                 {"client-key", Kind::kString},
                                 {"pre-config", Kind::kString},
                                 {"post-config", Kind::kString},
                                 {"reboot", Kind::kBool}}));
  UpgradeRequest r;
  r.version = GetString(options, "version");
  r.image_url = GetString(options, "image-url");
  r.container_image = GetString(options, "container-image");
  r.checksum = GetString(options, "checksum");
  r.flag_safe = GetBool(options, "flag-safe", false);
  r.mtls = GetBool(options, "mtls", false);
  r.ca_cert = GetString(options, "ca-cert");
  r.client_cert = GetString(options, "client-cert");
  r.client_key = GetString(options, "client-key");
  r.pre_config = GetString(options, "pre-config");
  r.post_config = GetString(options, "post-config");
  r.reboot = GetBool(options, "reboot", true);

  if (r.version.empty()) return Fail(Errc::kInvalidArgs, "option 'version' is required");
  KUBEOS_TRY(CheckText("version", r.version));
  const std::string type = GetString(options, "image-type");
  if (type == "disk") {
    r.image_type = ImageType::kDisk;
  } else if (type == "docker") {
    r.image_type = ImageType::kDocker;
  } else if (type == "containerd") {
    r.image_type = ImageType::kContainerd;
  } else if (type.empty()) {
    return Fail(Errc::kInvalidArgs, "option 'image-type' is required (disk, docker or containerd)");
  } else {
    return Fail(Errc::kInvalidArgs,
                "option 'image-type' must be disk, docker or containerd, got '" + type + "'");
  }
  if (r.image_type == ImageType::kDisk) {
    if (r.image_url.empty()) {
      return Fail(Errc::kInvalidArgs, "option 'image-url' is required for image-type disk");
    }
    if (!r.container_image.empty()) {
      return Fail(Errc::kInvalidArgs, "option 'container-image' does not apply to image-type disk");
    }
  } else {
    if (r.container_image.empty()) {
      return Fail(Errc::kInvalidArgs,
                  "option 'container-image' is required for image-type " + type);
    }
    if (!r.image_url.empty()) {
      return Fail(Errc::kInvalidArgs, "option 'image-url' applies to image-type disk only");
    }
  }
  KUBEOS_TRY(CheckText("image-url", r.image_url));
  KUBEOS_TRY(CheckText("container-image", r.container_image));
  if (r.checksum.empty()) return Fail(Errc::kInvalidArgs, "option 'checksum' is required");
  KUBEOS_TRY(CheckChecksum(r.checksum));
  KUBEOS_TRY(CheckFileName("ca-cert", r.ca_cert));
  KUBEOS_TRY(CheckFileName("client-cert", r.client_cert));
  KUBEOS_TRY(CheckFileName("client-key", r.client_key));
  if (r.mtls && (r.client_cert.empty() || r.client_key.empty())) {
    return Fail(Errc::kInvalidArgs, "option 'mtls' needs 'client-cert' and 'client-key'");
  }
  return r;
}

Result<RollbackRequest> DecodeRollback(const Options& options) {
  KUBEOS_TRY(CheckKeys(options, {{"version", Kind::kString},
                                 {"pre-config", Kind::kString},
                                 {"post-config", Kind::kString},
                                 {"reboot", Kind::kBool}}));
  RollbackRequest r;
  r.version = GetString(options, "version");
  r.pre_config = GetString(options, "pre-config");
  r.post_config = GetString(options, "post-config");
  r.reboot = GetBool(options, "reboot", true);
  KUBEOS_TRY(CheckText("version", r.version));
  return r;
}

Result<ConfigRequest> DecodeConfig(std::string config_json, const Options& options) {
  KUBEOS_TRY(CheckKeys(options, {{"kind", Kind::kString}}));
  ConfigRequest r;
  r.config_json = std::move(config_json);
  const std::string kind = GetString(options, "kind");
  if (kind.empty() || kind == "sysconfigs") {
    r.kind = ConfigKind::kSysconfigs;
  } else if (kind == "upgradeconfigs") {
    r.kind = ConfigKind::kUpgradeconfigs;
  } else {
    return Fail(Errc::kInvalidArgs,
                "option 'kind' must be sysconfigs or upgradeconfigs, got '" + kind + "'");
  }
  if (r.config_json.empty()) return Fail(Errc::kInvalidArgs, "config_json is empty");
  return r;
}

}  // namespace kubeos::core
