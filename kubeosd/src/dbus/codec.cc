// SPDX-License-Identifier: MulanPSL-2.0
#include "dbus/codec.h"

#include "kubeos/dbus/names.h"

namespace kubeos::dbus {

core::Options ToOptions(const VariantMap& options) {
  core::Options out;
  for (const auto& [key, variant] : options) {
    core::OptionValue value;
    value.signature = variant.peekValueType();
    if (variant.containsValueOfType<std::string>()) {
      value.value = variant.get<std::string>();
    } else if (variant.containsValueOfType<bool>()) {
      value.value = variant.get<bool>();
    }
    out.emplace(key, std::move(value));
  }
  return out;
}

sdbus::ObjectPath JobPath(uint32_t job_id) {
  return sdbus::ObjectPath(std::string(kJobPathPrefix) + std::to_string(job_id));
}

VariantMap EncodeStatus(const core::StatusReport& s) {
  VariantMap m;
  auto str = [&](const char* key, const std::string& value) { m[key] = sdbus::Variant(value); };
  str("booted-slot", s.booted_slot);
  str("booted-version", s.booted_version);
  str("other-slot", s.other_slot);
  str("other-version", s.other_version);
  m["other-valid"] = sdbus::Variant(s.other_valid);
  str("default-slot", s.default_slot);
  str("next-boot-slot", s.next_boot_slot);
  str("state", s.state);
  m["active-job"] =
      sdbus::Variant(s.active_job ? JobPath(s.active_job->id) : sdbus::ObjectPath("/"));
  str("job-stage", s.active_job ? s.active_job->stage : std::string());
  m["job-progress"] = sdbus::Variant(s.active_job ? s.active_job->progress : uint32_t{0});
  str("sysconfigs-version", s.sysconfigs_version);
  str("upgradeconfigs-version", s.upgradeconfigs_version);
  m["pending-reboot"] = sdbus::Variant(s.pending_reboot);
  str("pending-slot", s.pending_slot);
  str("pending-version", s.pending_version);
  str("last-error", s.last_error);
  str("disk", s.disk);
  str("booted-device", s.booted_device);
  str("other-device", s.other_device);
  m["needs"] = sdbus::Variant(s.needs);
  return m;
}

sdbus::Error ToDbusError(const Error& error) {
  return sdbus::Error(std::string(ErrorName(error.code)), error.message);
}

}  // namespace kubeos::dbus
