// SPDX-License-Identifier: MulanPSL-2.0
// The requests kubeosd accepts (Upgrade, Rollback, ApplyConfig), decoded and validated from the
// D-Bus option dictionaries without any D-Bus types, so the rules are pure and unit-tested.
#pragma once

#include <map>
#include <string>
#include <variant>

#include "base/error.h"

namespace kubeos::core {

// One a{sv} entry, reduced to the value types the contract uses; anything else keeps only its
// D-Bus signature so the error can name it.
struct OptionValue {
  std::variant<std::monostate, std::string, bool> value;
  std::string signature;  // "s", "b", or whatever the caller sent
};
using Options = std::map<std::string, OptionValue, std::less<>>;

enum class ImageType { kDisk, kDocker, kContainerd };

struct UpgradeRequest {
  std::string version;
  ImageType image_type = ImageType::kDisk;
  std::string image_url;
  std::string container_image;
  std::string checksum;  // lower-case hex SHA-256, or the image digest for container images
  bool flag_safe = false;
  bool mtls = false;
  std::string ca_cert;  // file names under the certs directory
  std::string client_cert;
  std::string client_key;
  std::string pre_config;   // JSON upgradeconfigs, "" when none
  std::string post_config;  // JSON sysconfigs, "" when none
  bool reboot = true;
};

struct RollbackRequest {
  std::string version;  // "" = whatever the other slot holds
  std::string pre_config;
  std::string post_config;
  bool reboot = true;
};

enum class ConfigKind { kSysconfigs, kUpgradeconfigs };
[[nodiscard]] constexpr std::string_view ConfigKindName(ConfigKind k) {
  return k == ConfigKind::kSysconfigs ? "sysconfigs" : "upgradeconfigs";
}

struct ConfigRequest {
  std::string config_json;
  ConfigKind kind = ConfigKind::kSysconfigs;
};

// Decoders: unknown keys, wrong value types, missing required keys and malformed values are
// refused with Errc::kInvalidArgs naming the key. Nothing is looked up on the host here.
[[nodiscard]] Result<UpgradeRequest> DecodeUpgrade(const Options& options);
[[nodiscard]] Result<RollbackRequest> DecodeRollback(const Options& options);
[[nodiscard]] Result<ConfigRequest> DecodeConfig(std::string config_json, const Options& options);

}  // namespace kubeos::core
