// SPDX-License-Identifier: MulanPSL-2.0
#include "proxy/core/start_options.h"

namespace kubeos::proxy {

using Json = nlohmann::json;

namespace {

std::string Text(const Json& spec, const char* key) {
  if (!spec.is_object() || !spec.contains(key) || !spec[key].is_string()) return "";
  return spec[key].get<std::string>();
}

bool Flag(const Json& spec, const char* key) {
  return spec.is_object() && spec.contains(key) && spec[key].is_boolean() && spec[key].get<bool>();
}

}  // namespace

bool EvictPodForce(const Json& os) {
  return os.is_object() && Flag(os.value("spec", Json::object()), "evictpodforce");
}

Result<OptionMap> StartOptions(const std::string& method,
                               const op::OsInstanceObject& osi,
                               const Json& os) {
  const Json spec = os.is_object() ? os.value("spec", Json::object()) : Json::object();
  const auto generation =
      os.is_object() ? os.value("metadata", Json::object()).value("generation", std::int64_t{0})
                     : 0;
  if (generation != osi.owner_generation) {
    return Fail(Errc::kFailed, "OS " + osi.owner_ns + "/" + osi.owner_name + " is at generation " +
                                   std::to_string(generation) + ", the node was dispatched for " +
                                   std::to_string(osi.owner_generation));
  }
  OptionMap options;
  const std::string version = Text(osi.spec, "osversion");
  if (method == "Upgrade") {
    const std::string type = Text(spec, "imagetype");
    options = {{"version", version},
               {"image-type", type},
               {"checksum", Text(spec, "checksum")},
               {"flag-safe", Flag(spec, "flagSafe")},
               {"mtls", Flag(spec, "mtls")}};
    const char* source = type == "disk" ? "imageurl" : "containerimage";
    if (Text(spec, source).empty()) {
      return Fail(Errc::kInvalidArgs, std::string("OS has no spec.") + source);
    }
    options[type == "disk" ? "image-url" : "container-image"] = Text(spec, source);
    for (const auto& [field, option] :
         {std::pair{"cacert", "ca-cert"}, std::pair{"clientcert", "client-cert"},
          std::pair{"clientkey", "client-key"}}) {
      if (const std::string v = Text(spec, field); !v.empty()) options[option] = v;
    }
  } else if (method == "Rollback") {
    if (!version.empty()) options["version"] = version;
  } else {
    return Fail(Errc::kInvalidArgs, "unknown method " + method);
  }
  // The OSInstance's sysconfigs (grub current/next already swapped by the operator) are kubeosd's
  // pending work after the reboot, so they hold even before the proxy is back.
  if (osi.spec.is_object() && osi.spec.contains("sysconfigs") &&
      osi.spec["sysconfigs"].is_object() && !osi.spec["sysconfigs"].empty()) {
    options["post-config"] = osi.spec["sysconfigs"].dump();
  }
  return options;
}

}  // namespace kubeos::proxy
