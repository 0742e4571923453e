// SPDX-License-Identifier: MulanPSL-2.0
// The kubeosd daemon as a library: command line, settings, the real ports, the engine and the
// D-Bus service. kubeosd's main() calls DaemonMain with no wrappers; the crash tests build the
// same daemon with decorated ports (tests/crash), so they kill the real process at real steps.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/ports/file_system.h"
#include "core/ports/image_installer.h"
#include "core/settings.h"

namespace kubeos {

// Optional decorators of the mutating ports. Each receives the real port and returns the one
// the daemon uses (it must forward to the real one); an empty function means "no decorator".
struct PortWrappers {
  std::function<std::unique_ptr<core::FileSystem>(core::FileSystem&)> files;
  std::function<std::unique_ptr<core::ImageInstaller>(core::ImageInstaller&)> installer;
};

// Builds the ports (decorated by |wrap|), the engine and the service, and serves the bus until
// SIGTERM. Returns the process exit status.
int RunDaemon(const core::Settings& settings, const std::string& root, const PortWrappers& wrap);

// kubeosd's command line (--config, --root, --log-level, --version), then RunDaemon.
int DaemonMain(int argc, char** argv, const PortWrappers& wrap);

}  // namespace kubeos
