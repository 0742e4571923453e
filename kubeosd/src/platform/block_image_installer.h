// SPDX-License-Identifier: MulanPSL-2.0
// The ImageInstaller port on real block devices: raw images are copied with the first MiB
// written last (a half-written slot never has a superblock), tars are extracted with libarchive
// onto a fresh ext4 made by mkfs.ext4 through the CommandRunner.
#pragma once

#include <string>

#include "core/ports/command_runner.h"
#include "core/ports/image_installer.h"

namespace kubeos::platform {

class BlockImageInstaller final : public core::ImageInstaller {
 public:
  // |mount_base|: a real directory under which the slot is mounted while a tar is extracted.
  BlockImageInstaller(core::CommandRunner& runner, std::string mount_base)
      : runner_(runner), mount_base_(std::move(mount_base)) {}

  Result<bool> SameDevice(std::string_view a, std::string_view b) override;
  Result<uint64_t> DeviceSize(const core::SlotDevice& slot) override;
  Status Invalidate(const core::SlotDevice& slot) override;
  Result<uint64_t> WriteRaw(const core::SlotDevice& slot, core::ByteSource& source) override;
  Status ReadBack(const core::SlotDevice& slot, uint64_t length, core::Sha256& hash) override;
  Status ExtractTar(const core::SlotDevice& slot,
                    std::string_view fs_label,
                    core::ByteSource& source) override;

 private:
  core::CommandRunner& runner_;
  std::string mount_base_;
};

}  // namespace kubeos::platform
