// SPDX-License-Identifier: MulanPSL-2.0
// kubeos-bench-install: runs the real upgrade job (libcurl download, SHA-256, raw write, fsync,
// read-back) into a given device, for bench/install. The disk layout and the boot loader are
// stand-ins: the benchmark measures the install, not discovery or GRUB.
//
//   kubeos-bench-install URL CHECKSUM DEVICE [CA_FILE]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "base/log.h"
#include "core/upgrade/upgrade_job.h"
#include "platform/block_image_installer.h"
#include "platform/curl_fetcher.h"
#include "platform/openssl_sha256.h"
#include "platform/posix_command_runner.h"
#include "platform/posix_file_system.h"

using namespace kubeos;  // NOLINT: a single-file program

namespace {

class OneDevice final : public core::BlockDevices {
 public:
  explicit OneDevice(std::string device) : device_(std::move(device)) {}
  Result<core::DiskLayout> Discover() override {
    core::DiskLayout l;
    l.booted = core::Slot::kA;
    l.a = {core::Slot::kA, "/dev/null", "", "", "ROOT-A"};  // never written: it is "booted"
    l.b = {core::Slot::kB, device_, "", "", "ROOT-B"};
    return l;
  }
  Result<std::optional<std::string>> ReadOsRelease(const core::SlotDevice&) override {
    return std::optional<std::string>();
  }

 private:
  std::string device_;
};

class NoBoot final : public core::Bootloader {
 public:
  Result<core::BootState> Read() override { return core::BootState{}; }
  Status ArmTrialBoot(core::Slot) override { return {}; }
  Status Commit(core::Slot) override { return {}; }
  Status DisarmTrialBoot() override { return {}; }
};

class NoPower final : public core::Power {
 public:
  Status Reboot() override { return {}; }
};

class NoHealth final : public core::HealthChecker {
 public:
  Status WaitHealthy(const std::vector<std::string>&,
                     std::chrono::seconds,
                     const std::function<bool()>&) override {
    return {};
  }
};

class Context final : public core::JobContext {
 public:
  void SetStage(std::string_view) override {}
  void SetProgress(uint64_t, uint64_t) override {}
  bool IsCancelled() const override { return false; }
  Status CheckCancelled() const override { return {}; }
  Status EnterPointOfNoReturn() override { return {}; }
  core::NodeState State() const override { return state_; }
  Status UpdateState(const std::function<void(core::NodeState&)>& mutate) override {
    mutate(state_);
    return {};
  }

 private:
  core::NodeState state_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s URL CHECKSUM DEVICE [CA_FILE]\n", argv[0]);
    return 2;
  }
  log::Init("kubeos-bench-install", log::Sink::kStderr);
  log::SetMaxPriority(LOG_WARNING);
  platform::PosixFileSystem files("/");
  OneDevice blocks(argv[3]);
  NoBoot boot;
  NoPower power;
  core::SteadyClock clock;
  platform::CurlFetcher fetcher;
  platform::PosixCommandRunner runner;
  platform::BlockImageInstaller installer(runner, "/run/kubeos-bench");
  platform::OpenSslHasherFactory hashers;
  NoHealth health;
  core::upgrade::UpgradeDeps deps{core::Ports{files, blocks, boot, power, clock},
                                  core::Settings{},
                                  fetcher,
                                  installer,
                                  hashers,
                                  health,
                                  {}};
  core::UpgradeRequest request;
  request.version = "bench";
  request.image_url = argv[1];
  request.checksum = argv[2];
  request.reboot = false;
  request.flag_safe = true;
  if (argc > 4) {
    const std::filesystem::path ca(argv[4]);
    deps.settings.certs_dir = ca.parent_path().string();
    request.ca_cert = ca.filename().string();
  }
  Context ctx;
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = core::upgrade::RunUpgrade(deps, request, ctx);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (!outcome) {
    std::fprintf(stderr, "install failed: %s\n", outcome.error().message.c_str());
    return 1;
  }
  std::printf("%.3f\n", took.count());
  return 0;
}
