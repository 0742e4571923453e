// SPDX-License-Identifier: MulanPSL-2.0
// The Bootloader port on a GRUB environment block: saved_entry is the committed slot, next_entry
// a one-shot trial that the project's grub.cfg consumes before booting it.
#pragma once

#include <functional>
#include <string>

#include "core/ports/bootloader.h"
#include "core/ports/file_system.h"

namespace kubeos::core {
class GrubEnv;
}

namespace kubeos::platform {

class GrubEnvBootloader final : public core::Bootloader {
 public:
  GrubEnvBootloader(core::FileSystem& fs, std::string grubenv_path)
      : fs_(fs), path_(std::move(grubenv_path)) {}

  Result<core::BootState> Read() override;
  Status ArmTrialBoot(core::Slot slot) override;
  Status Commit(core::Slot slot) override;
  Status DisarmTrialBoot() override;

 private:
  Status Edit(const std::function<Status(core::GrubEnv&)>& change);

  core::FileSystem& fs_;
  std::string path_;
};

}  // namespace kubeos::platform
