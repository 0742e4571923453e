// SPDX-License-Identifier: MulanPSL-2.0
// Fakes of the shared core ports (block devices, boot loader, power, clock) that keep state and
// let a test set answers and failures.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "core/ports/block_devices.h"
#include "core/ports/bootloader.h"
#include "core/ports/clock.h"
#include "core/ports/power.h"

namespace kubeos::testing {

class FakeBlockDevices final : public core::BlockDevices {
 public:
  FakeBlockDevices() {
    layout.disk = "/dev/vda";
    layout.booted = core::Slot::kA;
    layout.a = {core::Slot::kA, "/dev/vda2", "ext4", "ROOT-A", "ROOT-A"};
    layout.b = {core::Slot::kB, "/dev/vda3", "ext4", "ROOT-B", "ROOT-B"};
  }
  core::DiskLayout layout;
  std::optional<Error> discover_error;
  std::map<core::Slot, std::string> os_release;

  Result<core::DiskLayout> Discover() override {
    if (discover_error) return std::unexpected(*discover_error);
    return layout;
  }
  Result<std::optional<std::string>> ReadOsRelease(const core::SlotDevice& slot) override {
    const auto it = os_release.find(slot.slot);
    if (it == os_release.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
};

class FakeBootloader final : public core::Bootloader {
 public:
  core::BootState state{core::Slot::kA, std::nullopt};
  std::optional<Error> error;      // every call fails with it when set
  std::optional<Error> arm_error;  // only ArmTrialBoot fails with it
  int writes = 0;

  Result<core::BootState> Read() override {
    if (error) return std::unexpected(*error);
    return state;
  }
  Status ArmTrialBoot(core::Slot slot) override {
    if (error) return std::unexpected(*error);
    if (arm_error) return std::unexpected(*arm_error);
    ++writes;
    state.next_slot = slot;
    return {};
  }
  Status Commit(core::Slot slot) override {
    if (error) return std::unexpected(*error);
    ++writes;
    state.default_slot = slot;
    state.next_slot.reset();
    return {};
  }
  Status DisarmTrialBoot() override {
    if (error) return std::unexpected(*error);
    ++writes;
    state.next_slot.reset();
    return {};
  }
};

class FakePower final : public core::Power {
 public:
  int reboots = 0;
  std::optional<Error> error;
  Status Reboot() override {
    ++reboots;
    if (error) return std::unexpected(*error);
    return {};
  }
};

// Time moves only when the test says so.
class FakeClock final : public core::Clock {
 public:
  std::chrono::steady_clock::time_point now{};
  void Advance(std::chrono::milliseconds d) { now += d; }
  std::chrono::steady_clock::time_point Now() const override { return now; }
};

}  // namespace kubeos::testing
