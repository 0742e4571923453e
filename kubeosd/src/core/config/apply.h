// SPDX-License-Identifier: MulanPSL-2.0
// Applies a validated configuration request to the node, all or nothing.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "core/config/edit.h"
#include "core/config/request.h"
#include "core/ports/file_system.h"
#include "core/slot.h"

namespace kubeos::core::config {

// Where the models live on this node (host paths; the FileSystem maps them under --root).
struct ApplyContext {
  Slot booted = Slot::kA;  // grub.cmdline.current edits this slot's entry, .next the other one
  std::string proc_sys = "/proc/sys";
  std::string sysctl_conf = "/etc/sysctl.conf";
  std::string grub_cfg = "/boot/efi/EFI/openEuler/grub.cfg";
  std::string kubelet_config = "/var/lib/kubelet/config.yaml";
  std::string containerd_config = "/etc/containerd/config.toml";
  std::string limits_conf = "/etc/security/limits.conf";
};

struct ApplyOutcome {
  // Every key that changed, in request order; values of secret-looking keys are "<redacted>".
  std::vector<Change> changes;
  // What makes the changes take effect, each once: "reboot" (grub cmdline, persistent sysctl),
  // "restart kubelet", "restart containerd". Runtime sysctls and pam limits need nothing (limits
  // apply to new sessions).
  std::vector<std::string> actions;
};

// Reads every target file, computes every new content (any problem: nothing is written), replaces
// the changed files with FileSystem::WriteAtomic keeping their mode and owner (new files: 0644
// root:root), then writes the runtime sysctls. If a write fails, everything this call already
// changed is put back (files to their old bytes or removed when they did not exist, sysctls to
// their old values) and the error is returned. One journal line per changed key
// (kMsgConfigChanged; KUBEOS_MODEL/KEY/OLD/NEW). Applying the same request twice changes nothing
// the second time. The version rule is the caller's: see ConfigRequest::version.
[[nodiscard]] Result<ApplyOutcome> Apply(const ConfigRequest& request,
                                         const ApplyContext& ctx,
                                         FileSystem& fs);

// Whether values of |key| must stay out of logs and results (passwords, tokens, keys).
[[nodiscard]] bool LooksSecret(std::string_view key);

}  // namespace kubeos::core::config
