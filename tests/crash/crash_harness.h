// SPDX-License-Identifier: MulanPSL-2.0
// The crash tests' side of scripts/sandbox: replaces the sandbox's kubeosd by daemons this
// process starts itself (so it sees how each one ended), either kubeosd-crashpoint armed to
// SIGKILL itself at step N or the production kubeosd; and a root bus client that waits for a
// job to end or for the daemon to die.
#pragma once

#include <sdbus-c++/sdbus-c++.h>
#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kubeos::testing {

using VariantMap = std::map<std::string, sdbus::Variant>;

std::string SandboxDir();   // KUBEOS_SANDBOX_DIR
std::string SandboxRoot();  // KUBEOS_SANDBOX_ROOT: kubeosd's --root
std::string ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::string& data, mode_t mode);
mode_t ModeOf(const std::string& path);

// Stops the kubeosd scripts/sandbox started (its pid is in $SB/kubeosd.pid).
void StopSandboxDaemon();

// One daemon process, started with the sandbox's settings and --root; its output goes to
// $SB/kubeosd.log.
class Daemon {
 public:
  // |crash_at| 0 starts the production kubeosd; N > 0 starts kubeosd-crashpoint dying at step N
  // and logging the steps it passes to |step_log|.
  Daemon(unsigned crash_at, const std::string& step_log);
  ~Daemon();  // SIGTERM and reap when still running
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Waits until the bus name is owned (true) or the process ended (false).
  bool WaitReady();
  // Non-blocking: the wait status once the process ended.
  std::optional<int> Ended();
  // Blocks until the process ends; its wait status.
  int Wait();
  bool KilledBySigkill();  // ended, by SIGKILL
  void Terminate();        // SIGTERM, then wait

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// The steps kubeosd-crashpoint logged ("N name" lines), by number.
std::vector<std::string> ReadSteps(const std::string& step_log);

struct JobEnd {
  bool daemon_died = false;
  std::string result;  // done, failed, cancelled (when the daemon lived)
  std::string error;
  std::string message;
};

// True when a call failed because its peer went away (the daemon died), not by a refusal.
bool LostThePeer(const std::string& error);

// A root client of org.openeuler.KubeOS1 with JobRemoved subscribed.
class Client {
 public:
  Client();
  ~Client();
  VariantMap Status();
  // Starts a method returning a job path; nullopt when the call failed (the daemon died while
  // answering); the D-Bus error name in |error| when it was refused.
  std::optional<std::string> Start(const std::string& method,
                                   const std::function<void(sdbus::MethodCall&)>& args,
                                   std::string* error = nullptr);
  // Waits for JobRemoved of |job| or for |daemon| to end.
  JobEnd WaitJob(const std::string& job, Daemon& daemon);

 private:
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IProxy> proxy_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, JobEnd> removed_;
};

}  // namespace kubeos::testing
