// SPDX-License-Identifier: MulanPSL-2.0
// The ApplyConfig job: the version rule, the configuration engine (core/config) and the
// record of the applied version per kind (sysconfigs / upgradeconfigs).
#pragma once

#include "base/error.h"
#include "core/job.h"
#include "core/ports/block_devices.h"
#include "core/ports/file_system.h"
#include "core/requests.h"
#include "core/settings.h"

namespace kubeos::core {

struct ConfigJobDeps {
  FileSystem& fs;
  BlockDevices& blocks;  // which slot is booted: grub.cmdline.current/next depend on it
  const Settings& settings;
};

// Applies |request| when its version differs from the recorded one of its kind (no record yet
// counts as different, and "" is a version too), then records it. ConfigRejected lists every
// problem of an invalid request; nothing is changed then.
[[nodiscard]] Result<JobOutcome> RunConfig(const ConfigJobDeps& deps,
                                           const ConfigRequest& request,
                                           JobContext& ctx);

}  // namespace kubeos::core
