// SPDX-License-Identifier: MulanPSL-2.0
#include "core/settings.h"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

namespace kubeos::core {
namespace {

// One allowed key of kubeosd.conf and how it lands in Settings.
struct Binding {
  const char* section;
  const char* key;
  Status (*apply)(const toml::node&, Settings&);
};

Result<std::string> AsString(const toml::node& n, std::string_view what) {
  if (const auto* s = n.as_string()) return s->get();
  return Fail(Errc::kInvalidArgs, std::string(what) + " must be a string");
}

Result<std::vector<std::string>> AsStringList(const toml::node& n, std::string_view what) {
  const auto* arr = n.as_array();
  if (arr == nullptr) return Fail(Errc::kInvalidArgs, std::string(what) + " must be a list");
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return Fail(Errc::kInvalidArgs, std::string(what) + " must list strings");
    out.push_back(s->get());
  }
  return out;
}

Status AbsolutePath(const toml::node& n, std::string& out, std::string_view what) {
  KUBEOS_ASSIGN_OR_RETURN(std::string v, AsString(n, what));
  if (v.empty() || v.front() != '/') {
    return Fail(Errc::kInvalidArgs, std::string(what) + " must be an absolute path");
  }
  out = std::move(v);
  return {};
}

#define KUBEOS_PATH_BINDING(section, key, member)                  \
  Binding {                                                        \
    section, key, [](const toml::node& n, Settings& s) -> Status { \
      return AbsolutePath(n, s.member, section "." key);           \
    }                                                              \
  }

const std::vector<Binding>& Bindings() {
  static const std::vector<Binding> kBindings{
      KUBEOS_PATH_BINDING("paths", "state-file", state_file),
      KUBEOS_PATH_BINDING("paths", "os-release", os_release),
      KUBEOS_PATH_BINDING("paths", "grubenv", grubenv),
      KUBEOS_PATH_BINDING("paths", "grub-cfg", grub_cfg),
      KUBEOS_PATH_BINDING("paths", "certs-dir", certs_dir),
      KUBEOS_PATH_BINDING("paths", "mount-dir", mount_dir),
      KUBEOS_PATH_BINDING("paths", "proc-sys", proc_sys),
      KUBEOS_PATH_BINDING("paths", "boot-id", boot_id),
      Binding{"disk", "device",
              [](const toml::node& n, Settings& s) -> Status {
                return AbsolutePath(n, s.disk, "disk.device");
              }},
      Binding{"disk", "booted-slot",
              [](const toml::node& n, Settings& s) -> Status {
                KUBEOS_ASSIGN_OR_RETURN(std::string v, AsString(n, "disk.booted-slot"));
                auto slot = ParseSlot(v);
                if (!slot) return Fail(Errc::kInvalidArgs, "disk.booted-slot must be A or B");
                s.booted_slot = slot;
                return {};
              }},
      Binding{"health", "units",
              [](const toml::node& n, Settings& s) -> Status {
                KUBEOS_ASSIGN_OR_RETURN(s.health_units, AsStringList(n, "health.units"));
                return {};
              }},
      Binding{"health", "timeout-sec",
              [](const toml::node& n, Settings& s) -> Status {
                const auto* v = n.as_integer();
                if (v == nullptr || v->get() <= 0) {
                  return Fail(Errc::kInvalidArgs, "health.timeout-sec must be a positive integer");
                }
                s.health_timeout = std::chrono::seconds(v->get());
                return {};
              }},
      Binding{"reboot", "command",
              [](const toml::node& n, Settings& s) -> Status {
                KUBEOS_ASSIGN_OR_RETURN(s.reboot_command, AsStringList(n, "reboot.command"));
                if (s.reboot_command.empty()) {
                  return Fail(Errc::kInvalidArgs, "reboot.command must not be empty");
                }
                return {};
              }},
  };
  return kBindings;
}

#undef KUBEOS_PATH_BINDING

}  // namespace

Result<Settings> ParseSettings(std::string_view toml_text) {
  toml::table table;
  try {
    table = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "line " << e.source().begin.line << ": " << e.description();
    return Fail(Errc::kInvalidArgs, msg.str());
  }
  Settings settings;
  for (const auto& [section_key, section_node] : table) {
    const std::string section(section_key.str());
    const auto* section_table = section_node.as_table();
    if (section_table == nullptr) {
      return Fail(Errc::kInvalidArgs, "'" + section + "' must be a [section]");
    }
    for (const auto& [key, node] : *section_table) {
      const auto& bindings = Bindings();
      auto it = std::find_if(bindings.begin(), bindings.end(), [&](const Binding& b) {
        return section == b.section && key.str() == b.key;
      });
      if (it == bindings.end()) {
        return Fail(Errc::kInvalidArgs,
                    "unknown setting '" + section + "." + std::string(key.str()) + "'");
      }
      KUBEOS_TRY(it->apply(node, settings));
    }
  }
  return settings;
}

}  // namespace kubeos::core
