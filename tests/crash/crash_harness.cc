// SPDX-License-Identifier: MulanPSL-2.0
#include "crash/crash_harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace kubeos::testing {
namespace {

const char* kBus = "org.openeuler.KubeOS1";
const char* kPath = "/org/openeuler/KubeOS1";
const char* kIface = "org.openeuler.KubeOS1";

std::string MustEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) throw std::runtime_error(std::string(name) + " is not set: run in the sandbox");
  return v;
}

bool NameOwned() {
  try {
    auto connection = sdbus::createSystemBusConnection();
    auto bus = sdbus::createProxy(*connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bool owned = false;
    bus->callMethod("NameHasOwner")
        .onInterface("org.freedesktop.DBus")
        .withArguments(std::string(kBus))
        .storeResultsTo(owned);
    return owned;
  } catch (const sdbus::Error&) {
    return false;
  }
}

void Pause() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

}  // namespace

std::string SandboxDir() { return MustEnv("KUBEOS_SANDBOX_DIR"); }
std::string SandboxRoot() { return MustEnv("KUBEOS_SANDBOX_ROOT"); }

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& data, mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
  ::chmod(path.c_str(), mode);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

void StopSandboxDaemon() {
  const std::string pid_file = SandboxDir() + "/kubeosd.pid";
  std::ifstream in(pid_file);
  pid_t pid = 0;
  if (in >> pid && pid > 0) ::kill(pid, SIGTERM);
  std::filesystem::remove(pid_file);
  // Not our child: wait for the name to go instead.
  while (NameOwned()) Pause();
}

Daemon::Daemon(unsigned crash_at, const std::string& step_log) {
  const std::string sb = SandboxDir();
  const std::string binary = crash_at == 0 ? KUBEOSD_BINARY : KUBEOSD_CRASHPOINT_BINARY;
  const std::string config = sb + "/kubeosd.conf";
  const std::string root = SandboxRoot();
  const std::string at = std::to_string(crash_at);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int log = ::open((sb + "/kubeosd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 1);
    ::dup2(log, 2);
    if (crash_at != 0) {
      ::setenv("KUBEOS_CRASH_AT", at.c_str(), 1);
      ::setenv("KUBEOS_CRASH_LOG", step_log.c_str(), 1);
    }
    ::execl(binary.c_str(), binary.c_str(), "--config", config.c_str(), "--root", root.c_str(),
            "--log-level", "debug", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

Daemon::~Daemon() {
  if (!Ended()) Terminate();
}

std::optional<int> Daemon::Ended() {
  if (status_) return status_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  return status_;
}

int Daemon::Wait() {
  if (!status_) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    status_ = status;
  }
  return *status_;
}

bool Daemon::WaitReady() {
  for (;;) {
    if (Ended()) return false;
    if (NameOwned()) return true;
    Pause();
  }
}

bool Daemon::KilledBySigkill() {
  const auto st = Ended();
  return st && WIFSIGNALED(*st) && WTERMSIG(*st) == SIGKILL;
}

void Daemon::Terminate() {
  if (Ended()) return;
  ::kill(pid_, SIGTERM);
  Wait();
}

bool LostThePeer(const std::string& error) {
  for (const char* name :
       {"org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner", "org.freedesktop.DBus.Error.Disconnected"}) {
    if (error.rfind(name, 0) == 0) return true;
  }
  return false;
}

std::vector<std::string> ReadSteps(const std::string& step_log) {
  std::vector<std::string> steps;
  std::ifstream in(step_log);
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    const unsigned n = static_cast<unsigned>(std::stoul(line.substr(0, space)));
    if (steps.size() < n) steps.resize(n);
    steps[n - 1] = line.substr(space + 1);
  }
  return steps;
}

Client::Client() : connection_(sdbus::createSystemBusConnection()) {
  proxy_ = sdbus::createProxy(*connection_, kBus, kPath);
  proxy_->uponSignal("JobRemoved")
      .onInterface(kIface)
      .call([this](uint32_t, const sdbus::ObjectPath& job, const std::string& result,
                   const std::string& error, const std::string& message) {
        std::lock_guard lock(mu_);
        removed_[job] = {false, result, error, message};
        cv_.notify_all();
      });
  proxy_->finishRegistration();
  connection_->enterEventLoopAsync();
}

Client::~Client() { connection_->leaveEventLoop(); }

VariantMap Client::Status() {
  VariantMap s;
  proxy_->callMethod("Status").onInterface(kIface).storeResultsTo(s);
  return s;
}

std::optional<std::string> Client::Start(const std::string& method,
                                         const std::function<void(sdbus::MethodCall&)>& args,
                                         std::string* error) {
  try {
    auto call = proxy_->createMethodCall(kIface, method);
    args(call);
    auto reply = proxy_->callMethod(call);
    sdbus::ObjectPath job;
    reply >> job;
    return job;
  } catch (const sdbus::Error& e) {
    if (error != nullptr) *error = e.getName() + ": " + e.getMessage();
    return std::nullopt;
  }
}

JobEnd Client::WaitJob(const std::string& job, Daemon& daemon) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (removed_.count(job) > 0) return removed_.at(job);
    if (daemon.Ended()) {
      // A JobRemoved sent just before the end may still be on its way: give it its turn.
      if (cv_.wait_for(lock, std::chrono::milliseconds(200),
                       [&] { return removed_.count(job) > 0; })) {
        return removed_.at(job);
      }
      return JobEnd{true, "", "", ""};
    }
    cv_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

}  // namespace kubeos::testing
