// SPDX-License-Identifier: MulanPSL-2.0
// The set of ports a job may use, built once by the composition root (kubeosd/src/main.cc) from
// real implementations, and by tests from fakes.
#pragma once

#include "core/ports/block_devices.h"
#include "core/ports/bootloader.h"
#include "core/ports/clock.h"
#include "core/ports/file_system.h"
#include "core/ports/power.h"

namespace kubeos::core {

struct Ports {
  FileSystem& fs;
  BlockDevices& blocks;
  Bootloader& boot;
  Power& power;
  const Clock& clock;
};

}  // namespace kubeos::core
