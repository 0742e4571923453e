// SPDX-License-Identifier: MulanPSL-2.0
// BlockDevices port: finds the A/B root partitions by identity (GPT partition label or filesystem
// label ROOT-A/ROOT-B on the disk of the running root) and reads what a slot holds.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "core/slot.h"

namespace kubeos::core {

struct SlotDevice {
  Slot slot = Slot::kA;
  std::string device;   // e.g. /dev/vda3 or /dev/loop0p3
  std::string fs_type;  // "ext4", "" when no filesystem was recognised
  std::string fs_label;
  std::string part_label;
  bool has_filesystem() const { return !fs_type.empty(); }
};

struct DiskLayout {
  std::string disk;  // whole disk holding both slots, e.g. /dev/vda
  Slot booted = Slot::kA;
  SlotDevice a;
  SlotDevice b;
  const SlotDevice& Get(Slot s) const { return s == Slot::kA ? a : b; }
};

class BlockDevices {
 public:
  virtual ~BlockDevices() = default;

  // Identifies the booted slot and both slot partitions. Fails when the root is not on an A/B
  // disk or either slot cannot be found.
  virtual Result<DiskLayout> Discover() = 0;

  // Reads os-release of the filesystem on |slot| (mounted read-only, nosuid, nodev, noexec) and
  // returns its content; nullopt when the slot holds no filesystem or no os-release.
  virtual Result<std::optional<std::string>> ReadOsRelease(const SlotDevice& slot) = 0;
};

}  // namespace kubeos::core
