// SPDX-License-Identifier: MulanPSL-2.0
// A complete fake world for the upgrade jobs: the shared port fakes (tests/fakes) and a fake job
// context next to the upgrade fakes, wired into one UpgradeDeps.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/upgrade/upgrade_job.h"
#include "fakes/fake_fetcher.h"
#include "fakes/fake_file_system.h"
#include "fakes/fake_hasher.h"
#include "fakes/fake_health_checker.h"
#include "fakes/fake_image_installer.h"
#include "fakes/fake_ports.h"

namespace kubeos::testing {

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
    fs.Put("/etc/KubeOS/certs/ca.pem", "CA", 0644);
    fs.Put("/etc/KubeOS/certs/client.pem", "CERT", 0644);
    fs.Put("/etc/KubeOS/certs/client.key", "KEY", 0600);
    deps.settings.health_units = {"kubelet.service"};
  }
};

}  // namespace kubeos::testing
