// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/posix_command_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "platform/unique_fd.h"

extern char** environ;

namespace kubeos::platform {
namespace {

constexpr size_t kMaxOutput = 16 * 1024;

}  // namespace

Result<core::CommandResult> PosixCommandRunner::Run(const std::vector<std::string>& argv) {
  if (argv.empty()) return Fail(Errc::kFailed, "run: empty command");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return FailErrno(Errc::kFailed, errno, "run " + argv[0] + ": pipe");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.Reset();
  if (rc != 0) return FailErrno(Errc::kFailed, rc, "run " + argv[0]);

  core::CommandResult result;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    // Keep reading past the limit so the child never blocks on a full pipe.
    if (result.output.size() < kMaxOutput) result.output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return FailErrno(Errc::kFailed, errno, "run " + argv[0] + ": waitpid");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace kubeos::platform
