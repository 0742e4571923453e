// SPDX-License-Identifier: MulanPSL-2.0
// The BlockDevices port on Linux: the running root's device from mountinfo, the A/B partitions
// on the same disk by GPT partition label (or filesystem label) through libblkid, and slot
// contents through a private read-only mount.
#pragma once

#include <optional>
#include <string>

#include "core/ports/block_devices.h"

namespace kubeos::platform {

struct BlockDeviceOptions {
  std::string root = "/";                 // the directory whose mount is the booted slot (--root)
  std::string disk;                       // "" = the disk holding |root|
  std::optional<core::Slot> booted_slot;  // override (settings disk.booted-slot)
  std::string mount_dir = "/run/kubeos/mnt";  // real path, already prefixed with --root
};

class BlkidBlockDevices final : public core::BlockDevices {
 public:
  explicit BlkidBlockDevices(BlockDeviceOptions options) : options_(std::move(options)) {}

  Result<core::DiskLayout> Discover() override;
  Result<std::optional<std::string>> ReadOsRelease(const core::SlotDevice& slot) override;

 private:
  BlockDeviceOptions options_;
};

}  // namespace kubeos::platform
