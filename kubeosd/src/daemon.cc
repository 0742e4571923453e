// SPDX-License-Identifier: MulanPSL-2.0
// kubeosd's composition root. Reads the settings, builds the real ports (decorated only by the
// crash tests), the engine and the D-Bus service, takes the bus name, tells systemd it is ready
// and serves until SIGTERM.
#include "daemon.h"

#include <sdbus-c++/sdbus-c++.h>
#include <systemd/sd-daemon.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "base/log.h"
#include "core/config_job.h"
#include "core/engine.h"
#include "core/settings.h"
#include "core/upgrade/upgrade_job.h"
#include "dbus/event_loop.h"
#include "dbus/kubeos1_service.h"
#include "dbus/polkit_authorizer.h"
#include "kubeos/dbus/names.h"
#include "platform/blkid_block_devices.h"
#include "platform/block_image_installer.h"
#include "platform/command_power.h"
#include "platform/container_containerd.h"
#include "platform/container_docker.h"
#include "platform/curl_fetcher.h"
#include "platform/grubenv_bootloader.h"
#include "platform/openssl_sha256.h"
#include "platform/posix_command_runner.h"
#include "platform/posix_file_system.h"
#include "platform/systemd_health_checker.h"

namespace kubeos {
namespace {

constexpr const char* kDefaultConfig = "/etc/kubeos/kubeosd.conf";

// The config file is read from the real file system: --root relocates the managed host, not
// the daemon's own configuration.
Result<core::Settings> LoadSettings(const std::string& path, bool explicit_path) {
  platform::PosixFileSystem files("/");
  auto content = files.Read(path);
  if (!content) return Forward(std::move(content), "read " + path);
  if (!content->has_value()) {
    if (explicit_path) return Fail(Errc::kInvalidArgs, path + " does not exist");
    return core::Settings{};
  }
  auto settings = core::ParseSettings((*content)->data);
  if (!settings) return Forward(std::move(settings), path);
  return settings;
}

std::string RootPath(const std::string& root, const std::string& host_path) {
  return root == "/" ? host_path : root + host_path;
}

// |port| itself, or the decorator |wrap| makes of it (kept alive in |holder|).
template <typename Port>
Port& Decorate(Port& port,
               const std::function<std::unique_ptr<Port>(Port&)>& wrap,
               std::unique_ptr<Port>& holder) {
  if (!wrap) return port;
  holder = wrap(port);
  return *holder;
}

}  // namespace

int RunDaemon(const core::Settings& settings, const std::string& root, const PortWrappers& wrap) {
  platform::PosixFileSystem real_files(root);
  std::unique_ptr<core::FileSystem> wrapped_files;
  core::FileSystem& files =
      Decorate(static_cast<core::FileSystem&>(real_files), wrap.files, wrapped_files);
  platform::BlkidBlockDevices blocks(
      {root, settings.disk, settings.booted_slot, RootPath(root, settings.mount_dir)});
  platform::GrubEnvBootloader boot(files, settings.grubenv);
  platform::PosixCommandRunner runner;
  platform::CommandPower power(runner, settings.reboot_command);
  core::SteadyClock clock;
  core::Ports ports{files, blocks, boot, power, clock};

  platform::CurlFetcher fetcher(root);
  platform::BlockImageInstaller real_installer(runner, RootPath(root, settings.mount_dir));
  std::unique_ptr<core::ImageInstaller> wrapped_installer;
  core::ImageInstaller& installer = Decorate(static_cast<core::ImageInstaller&>(real_installer),
                                             wrap.installer, wrapped_installer);
  platform::OpenSslHasherFactory hashers;
  platform::SystemdHealthChecker health(runner);
  // Container image sources: host paths under --root like every other path.
  platform::DockerRuntime docker(runner);
  platform::ContainerdRuntime containerd(
      runner, {RootPath(root, "/etc/containerd/certs.d"), RootPath(root, settings.mount_dir)});

  core::JobHandlers handlers;
  handlers.config = [&](const core::ConfigRequest& request, core::JobContext& ctx) {
    return core::RunConfig({files, blocks, settings}, request, ctx);
  };
  core::upgrade::InstallUpgradeJobs(
      handlers, std::make_shared<const core::upgrade::UpgradeDeps>(
                    core::upgrade::UpgradeDeps{ports, settings, fetcher, installer, hashers, health,
                                               handlers.config, &docker, &containerd}));
  core::Engine engine(ports, settings, std::move(handlers));

  auto connection = sdbus::createSystemBusConnection();
  dbus::EventLoop loop(*connection);
  dbus::PolkitAuthorizer authorizer(*connection);
  dbus::Kubeos1Service service(*connection, engine, authorizer, loop);
  if (auto st = engine.Initialize(service); !st) {
    log::Err("Failed to initialize: " + st.error().message);
    return EXIT_FAILURE;
  }
  // Objects are exported before the name is taken, so no caller ever sees a half-made service.
  connection->requestName(std::string(dbus::kBusName));
  const core::StatusReport status = engine.GetStatus();
  log::Info("Serving " + std::string(dbus::kBusName) + " (booted slot " + status.booted_slot +
                ", " + status.booted_version + ")",
            {{"SLOT", status.booted_slot}, {"VERSION", status.booted_version}});
  sd_notify(0, "READY=1\nSTATUS=Serving");

  auto result = loop.Run();
  sd_notify(0, "STOPPING=1");
  engine.WaitIdle();
  if (!result) {
    log::Err(result.error().message);
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}

int DaemonMain(int argc, char** argv, const PortWrappers& wrap) {
  CLI::App app{
      "kubeosd - the KubeOS node daemon: A/B OS upgrades, rollbacks and node configuration,\n"
      "served on the system bus as org.openeuler.KubeOS1. Normally started by systemd\n"
      "(kubeosd.service); every mutating call is authorised by polkit."};
  std::string config = kDefaultConfig;
  std::string root = "/";
  std::string log_level = "info";
  auto* config_opt =
      app.add_option("--config", config, "settings file (TOML)")->capture_default_str();
  app.add_option("--root", root,
                 "prefix every host path with DIR (tests, the sandbox and the demo)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--log-level", log_level, "debug, info, notice, warning or err")
      ->check(CLI::IsMember({"debug", "info", "notice", "warning", "err"}))
      ->capture_default_str();
  app.set_version_flag("--version", std::string("kubeosd ") + KUBEOS_VERSION);
  CLI11_PARSE(app, argc, argv);

  log::Init("kubeosd");
  const std::map<std::string, int> levels{{"debug", LOG_DEBUG},
                                          {"info", LOG_INFO},
                                          {"notice", LOG_NOTICE},
                                          {"warning", LOG_WARNING},
                                          {"err", LOG_ERR}};
  log::SetMaxPriority(levels.at(log_level));

  auto settings = LoadSettings(config, config_opt->count() > 0);
  if (!settings) {
    std::cerr << "kubeosd: " << settings.error().message << "\n";
    return EXIT_FAILURE;
  }
  try {
    return RunDaemon(*settings, root, wrap);
  } catch (const sdbus::Error& e) {
    log::Err("D-Bus error: " + e.getName() + ": " + e.getMessage());
    return EXIT_FAILURE;
  }
}

}  // namespace kubeos
