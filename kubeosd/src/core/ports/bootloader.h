// SPDX-License-Identifier: MulanPSL-2.0
// Bootloader port: the A/B boot choice. The real implementation edits the GRUB environment block;
// grub.cfg boots next_entry once (trial boot) and saved_entry otherwise.
#pragma once

#include <optional>

#include "base/error.h"
#include "core/slot.h"

namespace kubeos::core {

struct BootState {
  std::optional<Slot> default_slot;  // saved_entry: what boots when no trial is armed
  std::optional<Slot> next_slot;     // next_entry: a one-shot trial boot, consumed by GRUB
};

class Bootloader {
 public:
  virtual ~Bootloader() = default;
  virtual Result<BootState> Read() = 0;
  // Boots |slot| once on the next boot; the default stays, so any failure falls back to it.
  virtual Status ArmTrialBoot(Slot slot) = 0;
  // Makes |slot| the default and clears any armed trial.
  virtual Status Commit(Slot slot) = 0;
  // Clears an armed trial boot; the default is untouched.
  virtual Status DisarmTrialBoot() = 0;
};

}  // namespace kubeos::core
