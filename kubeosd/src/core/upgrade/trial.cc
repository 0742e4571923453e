// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/trial.h"

namespace kubeos::core::upgrade {
Status CheckRollbackSource(const SlotDevice& device, const SlotRecord& record) {
  const std::string slot = "slot " + std::string(SlotName(device.slot));
  if (!device.has_filesystem()) {
    return Fail(Errc::kNoStandbySlot, slot + " (" + device.device + ") holds no filesystem");
  }
  switch (record.health) {
    case SlotHealth::kGood:
    case SlotHealth::kUnknown:
      return {};
    case SlotHealth::kInstalling:
    case SlotHealth::kInstalled:
    case SlotHealth::kBad:
      break;
  }
  return Fail(Errc::kNoStandbySlot, slot + " holds no previously good image (it is " +
                                        std::string(SlotHealthName(record.health)) + ")");
}

}  // namespace kubeos::core::upgrade
