// SPDX-License-Identifier: MulanPSL-2.0
#include "os_resource.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "core/config/yaml_value.h"

namespace kubeos::ctl {
namespace {

using nlohmann::json;

std::string Text(const json& spec, const char* key) {
  if (!spec.contains(key) || spec.at(key).is_null()) return {};
  const json& v = spec.at(key);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

bool Flag(const json& spec, const char* key) {
  return spec.contains(key) && spec.at(key).is_boolean() && spec.at(key).get<bool>();
}

// A configs object worth sending: present and not empty.
std::string ConfigJson(const json& spec, const char* key) {
  if (!spec.contains(key) || !spec.at(key).is_object() || spec.at(key).empty()) return {};
  return spec.at(key).dump();
}

}  // namespace

Result<OsCall> CallForOsResource(std::string_view document) {
  json doc;
  try {
    auto parsed = core::config::YamlToJson(YAML::Load(std::string(document)));
    if (!parsed) return Forward(std::move(parsed), "read OS resource");
    doc = std::move(*parsed);
  } catch (const YAML::Exception& e) {
    return Fail(Errc::kInvalidArgs, std::string("read OS resource: ") + e.what());
  }
  if (!doc.is_object() || doc.value("kind", "") != "OS") {
    return Fail(Errc::kInvalidArgs, "not an OS resource (kind: OS)");
  }
  if (!doc.contains("spec") || !doc.at("spec").is_object()) {
    return Fail(Errc::kInvalidArgs, "OS resource has no spec");
  }
  const json& spec = doc.at("spec");
  const std::string ops = Text(spec, "opstype");
  OsCall call;
  if (ops == "upgrade") {
    call.method = "Upgrade";
    const std::string type = Text(spec, "imagetype");
    call.options = {{"version", Text(spec, "osversion")},
                    {"image-type", type},
                    {"checksum", Text(spec, "checksum")},
                    {"flag-safe", Flag(spec, "flagSafe")},
                    {"mtls", Flag(spec, "mtls")}};
    if (type == "disk") {
      call.options["image-url"] = Text(spec, "imageurl");
    } else {
      call.options["container-image"] = Text(spec, "containerimage");
    }
    for (const auto& [field, option] :
         {std::pair{"cacert", "ca-cert"}, std::pair{"clientcert", "client-cert"},
          std::pair{"clientkey", "client-key"}}) {
      if (const std::string v = Text(spec, field); !v.empty()) call.options[option] = v;
    }
  } else if (ops == "rollback") {
    call.method = "Rollback";
    if (const std::string v = Text(spec, "osversion"); !v.empty()) call.options["version"] = v;
  } else if (ops == "config") {
    call.method = "ApplyConfig";
    call.config_json = ConfigJson(spec, "sysconfigs");
    if (call.config_json.empty()) {
      return Fail(Errc::kInvalidArgs, "opstype config needs spec.sysconfigs");
    }
    return call;
  } else {
    return Fail(Errc::kInvalidArgs,
                "spec.opstype must be upgrade, rollback or config, got '" + ops + "'");
  }
  // Upgrade and rollback: upgradeconfigs before, sysconfigs after the reboot.
  if (const std::string pre = ConfigJson(spec, "upgradeconfigs"); !pre.empty()) {
    call.options["pre-config"] = pre;
  }
  if (const std::string post = ConfigJson(spec, "sysconfigs"); !post.empty()) {
    call.options["post-config"] = post;
  }
  return call;
}

}  // namespace kubeos::ctl
