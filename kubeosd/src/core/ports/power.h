// SPDX-License-Identifier: MulanPSL-2.0
// Power port: an orderly reboot through systemd, never a raw reboot(2).
#pragma once

#include "base/error.h"

namespace kubeos::core {

class Power {
 public:
  virtual ~Power() = default;
  virtual Status Reboot() = 0;
};

}  // namespace kubeos::core
