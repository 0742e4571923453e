// SPDX-License-Identifier: MulanPSL-2.0
// ImageInstaller port: the side effects of writing a root image into the standby slot — raw block
// copy, read-back hashing, mkfs + tar extraction — while core decides what to do and in what order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "core/ports/block_devices.h"
#include "core/ports/byte_source.h"
#include "core/ports/hasher.h"

namespace kubeos::core {

class ImageInstaller {
 public:
  virtual ~ImageInstaller() = default;

  // True when both paths name the same block device (compared by device number, not by name).
  virtual Result<bool> SameDevice(std::string_view a, std::string_view b) = 0;
  // Size of the partition in bytes.
  virtual Result<uint64_t> DeviceSize(const SlotDevice& slot) = 0;
  // Overwrites the start of the partition (superblocks) and syncs, so a half-written slot never
  // looks like a valid filesystem.
  virtual Status Invalidate(const SlotDevice& slot) = 0;
  // Copies |source| to the partition block for block, then fsyncs. Returns the bytes written.
  // kNoSpace when the source is larger than the partition.
  virtual Result<uint64_t> WriteRaw(const SlotDevice& slot, ByteSource& source) = 0;
  // Reads the first |length| bytes back from the disk (not the page cache) into |hash|.
  virtual Status ReadBack(const SlotDevice& slot, uint64_t length, Sha256& hash) = 0;
  // Formats the partition (ext4, label |fs_label|), mounts it, extracts the tar stream (plain or
  // compressed) keeping owners, modes, xattrs, ACLs, capabilities and SELinux labels, refusing
  // entries that leave the root; syncs and unmounts. Reads |source| only as far as the archive
  // end: the caller drains the rest.
  virtual Status ExtractTar(const SlotDevice& slot,
                            std::string_view fs_label,
                            ByteSource& source) = 0;
};

}  // namespace kubeos::core
