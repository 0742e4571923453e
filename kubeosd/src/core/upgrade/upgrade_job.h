// SPDX-License-Identifier: MulanPSL-2.0
// The upgrade, rollback and boot-confirmation jobs: the order of the steps and every
// decision, with all side effects behind ports so each path is unit-tested with fakes.
#pragma once

#include <functional>
#include <memory>

#include "base/error.h"
#include "core/engine.h"
#include "core/job.h"
#include "core/ports/container_runtime.h"
#include "core/ports/fetcher.h"
#include "core/ports/hasher.h"
#include "core/ports/health_checker.h"
#include "core/ports/image_installer.h"
#include "core/ports/ports.h"
#include "core/requests.h"
#include "core/settings.h"

namespace kubeos::core::upgrade {

// Applies a pre-config (upgradeconfigs) or post-config (sysconfigs) through the config engine.
using ConfigApplier = std::function<Result<JobOutcome>(const ConfigRequest&, JobContext&)>;

struct UpgradeDeps {
  Ports ports;
  Settings settings;
  Fetcher& fetcher;
  ImageInstaller& installer;
  const HasherFactory& hashers;
  HealthChecker& health;
  // Empty until the config engine exists: requests carrying configs are then refused
  // (kNotSupported) before anything is written.
  ConfigApplier apply_config;
  // The runtimes for image-type docker and containerd; null: that type is refused
  // (kNotSupported) before anything is written.
  ContainerRuntime* docker = nullptr;
  ContainerRuntime* containerd = nullptr;
};

// Upgrade: download (disk) or pull and read /os.tar (docker, containerd), hash and write the
// standby slot in one pass, verify, arm a trial boot. The engine reboots when the outcome asks for
// it.
[[nodiscard]] Result<JobOutcome> RunUpgrade(const UpgradeDeps& deps,
                                            const UpgradeRequest& request,
                                            JobContext& ctx);

// Trial-boots the other slot when it holds a previously good image.
[[nodiscard]] Result<JobOutcome> RunRollback(const UpgradeDeps& deps,
                                             const RollbackRequest& request,
                                             JobContext& ctx);

// After the reboot of a pending trial: commit the target when it booted and is healthy (then
// apply the post-config), else mark it bad and return to the previous slot.
[[nodiscard]] Result<JobOutcome> ConfirmBoot(const UpgradeDeps& deps, JobContext& ctx);

// Fills handlers.upgrade, .rollback and .confirm_boot with the jobs above.
void InstallUpgradeJobs(JobHandlers& handlers, std::shared_ptr<const UpgradeDeps> deps);

}  // namespace kubeos::core::upgrade
