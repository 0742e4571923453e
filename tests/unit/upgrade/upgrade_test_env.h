// SPDX-License-Identifier: MulanPSL-2.0
// A complete fake world for the upgrade jobs: fakes of the shared ports (disk layout, boot
// loader, files, job context) next to the upgrade fakes, wired into one UpgradeDeps.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/upgrade/upgrade_job.h"
#include "fakes/fake_fetcher.h"
#include "fakes/fake_hasher.h"
#include "fakes/fake_health_checker.h"
#include "fakes/fake_image_installer.h"

namespace kubeos::testing {

class FakeBlockDevices final : public core::BlockDevices {
 public:
  core::DiskLayout layout;
  std::map<core::Slot, std::string> os_release;
  Result<core::DiskLayout> Discover() override { return layout; }
  Result<std::optional<std::string>> ReadOsRelease(const core::SlotDevice& slot) override {
    const auto it = os_release.find(slot.slot);
    if (it == os_release.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
};

class FakeBootloader final : public core::Bootloader {
 public:
  core::BootState state;
  std::optional<Error> arm_error;
  int writes = 0;
  Result<core::BootState> Read() override { return state; }
  Status ArmTrialBoot(core::Slot slot) override {
    if (arm_error) return std::unexpected(*arm_error);
    ++writes;
    state.next_slot = slot;
    return {};
  }
  Status Commit(core::Slot slot) override {
    ++writes;
    state.default_slot = slot;
    state.next_slot.reset();
    return {};
  }
  Status DisarmTrialBoot() override {
    ++writes;
    state.next_slot.reset();
    return {};
  }
};

class FakeFileSystem final : public core::FileSystem {
 public:
  std::map<std::string, core::FileContent, std::less<>> files;
  Result<std::optional<core::FileContent>> Read(std::string_view path) override {
    const auto it = files.find(path);
    if (it == files.end()) return std::optional<core::FileContent>();
    return std::optional<core::FileContent>(it->second);
  }
  Status WriteAtomic(std::string_view path, const core::FileContent& c) override {
    files[std::string(path)] = c;
    return {};
  }
  Status WriteInPlace(std::string_view path, std::string_view data) override {
    files[std::string(path)].data = data;
    return {};
  }
  Status Remove(std::string_view path) override {
    files.erase(std::string(path));
    return {};
  }
};

class FakePower final : public core::Power {
 public:
  int reboots = 0;
  Status Reboot() override {
    ++reboots;
    return {};
  }
};

class FakeClock final : public core::Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return {}; }
};

class FakeJobContext final : public core::JobContext {
 public:
  core::NodeState state;
  std::vector<std::string> stages;
  uint64_t last_done = 0;
  bool cancelled = false;
  bool past_point_of_no_return = false;
  bool cancelled_before_switch = false;  // observed: the switch was attempted while cancelled

  void SetStage(std::string_view stage) override { stages.emplace_back(stage); }
  void SetProgress(uint64_t done, uint64_t) override { last_done = done; }
  bool IsCancelled() const override { return cancelled; }
  Status CheckCancelled() const override {
    if (cancelled) return Fail(Errc::kCancelled, "cancelled");
    return {};
  }
  Status EnterPointOfNoReturn() override {
    if (cancelled) return Fail(Errc::kCancelled, "cancelled");
    past_point_of_no_return = true;
    return {};
  }
  core::NodeState State() const override { return state; }
  Status UpdateState(const std::function<void(core::NodeState&)>& mutate) override {
    mutate(state);
    return {};
  }
};

// Slot A booted from /dev/vda2, B standby on /dev/vda3; certificates in /etc/KubeOS/certs.
struct UpgradeWorld {
  FakeFileSystem fs;
  FakeBlockDevices blocks;
  FakeBootloader boot;
  FakePower power;
  FakeClock clock;
  fakes::FakeFetcher fetcher;
  fakes::FakeImageInstaller installer;
  fakes::FakeHasherFactory hashers;
  fakes::FakeHealthChecker health;
  FakeJobContext ctx;
  core::upgrade::UpgradeDeps deps{core::Ports{fs, blocks, boot, power, clock},
                                  core::Settings{},
                                  fetcher,
                                  installer,
                                  hashers,
                                  health,
                                  {}};

  UpgradeWorld() {
    blocks.layout.disk = "/dev/vda";
    blocks.layout.booted = core::Slot::kA;
    blocks.layout.a = {core::Slot::kA, "/dev/vda2", "ext4", "ROOT-A", "ROOT-A"};
    blocks.layout.b = {core::Slot::kB, "/dev/vda3", "", "", "ROOT-B"};
    boot.state.default_slot = core::Slot::kA;
    installer.devices["/dev/vda2"] = "booted root";
    installer.devices["/dev/vda3"] = "old standby";
    fs.files["/etc/KubeOS/certs/ca.pem"] = {"CA", 0644, 0, 0};
    fs.files["/etc/KubeOS/certs/client.pem"] = {"CERT", 0644, 0, 0};
    fs.files["/etc/KubeOS/certs/client.key"] = {"KEY", 0600, 0, 0};
    deps.settings.health_units = {"kubelet.service"};
  }
};

}  // namespace kubeos::testing
