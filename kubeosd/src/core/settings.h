// SPDX-License-Identifier: MulanPSL-2.0
// kubeosd's settings: every host path it uses and the policy knobs, read from
// /etc/kubeos/kubeosd.conf (TOML). Paths are host paths; --root is applied by the FileSystem port.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/slot.h"

namespace kubeos::core {

struct Settings {
  // [paths]
  std::string state_file = "/persist/kubeos/state.json";
  std::string os_release = "/etc/os-release";
  std::string grubenv = "/boot/efi/EFI/openEuler/grubenv";
  std::string grub_cfg = "/boot/efi/EFI/openEuler/grub.cfg";
  std::string certs_dir = "/etc/KubeOS/certs";
  std::string mount_dir = "/run/kubeos/mnt";  // where slots are mounted read-only for inspection
  std::string proc_sys = "/proc/sys";         // runtime sysctls (kernel.sysctl)
  std::string boot_id = "/proc/sys/kernel/random/boot_id";
  // [disk]
  std::string disk;                 // "" = the disk holding the running root
  std::optional<Slot> booted_slot;  // override, like RAUC's override-boot-slot (tests, demo)
  // [health]
  std::vector<std::string> health_units;  // units that must be active after a trial boot
  std::chrono::seconds health_timeout{300};
  // [reboot]
  std::vector<std::string> reboot_command{"systemctl", "reboot"};
};

// Parses kubeosd.conf. Unknown sections or keys and wrong types are errors (kInvalidArgs), so a
// typo never silently falls back to a default.
[[nodiscard]] Result<Settings> ParseSettings(std::string_view toml_text);

}  // namespace kubeos::core
