// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/container_cli.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

extern char** environ;

namespace kubeos::platform {
namespace {

constexpr size_t kMaxErrorText = 4096;

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > kMaxErrorText) text.resize(kMaxErrorText);
  return text;
}

// The repository part of a reference: without its tag or digest, docker.io/ and library/.
std::string_view RepositoryOf(std::string_view reference) {
  if (const size_t at = reference.find('@'); at != std::string_view::npos) {
    reference = reference.substr(0, at);
  }
  const size_t slash = reference.rfind('/');
  if (const size_t colon = reference.rfind(':');
      colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    reference = reference.substr(0, colon);
  }
  if (reference.starts_with("docker.io/")) reference.remove_prefix(10);
  if (reference.starts_with("library/")) reference.remove_prefix(8);
  return reference;
}

}  // namespace

Result<std::unique_ptr<ProcessOutput>> ProcessOutput::Start(const std::vector<std::string>& argv,
                                                            Errc code) {
  if (argv.empty()) return Fail(Errc::kFailed, "run: empty command");
  std::unique_ptr<ProcessOutput> p(new ProcessOutput(Join(argv), code));
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return FailErrno(Errc::kFailed, errno, p->what_ + ": pipe");
  p->out_ = UniqueFd(fds[0]);
  UniqueFd write_end(fds[1]);
  p->err_ = UniqueFd(::memfd_create("kubeos-stderr", MFD_CLOEXEC));
  if (!p->err_.valid()) return FailErrno(Errc::kFailed, errno, p->what_ + ": memfd");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, p->err_.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = ::posix_spawnp(&p->pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    p->pid_ = -1;
    return FailErrno(code, rc, "run " + argv[0]);
  }
  return p;
}

ProcessOutput::~ProcessOutput() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

Status ProcessOutput::Reap() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return FailErrno(Errc::kFailed, errno, what_ + ": waitpid");
  }
  pid_ = -1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::string text(kMaxErrorText, '\0');
  const ssize_t n = ::pread(err_.get(), text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                            : std::string("killed by a signal");
  return Fail(code_, what_ + " failed (" + how + "): " + Trimmed(std::move(text)));
}

Result<size_t> ProcessOutput::Read(std::span<std::byte> buffer) {
  if (pid_ <= 0) return size_t{0};
  for (;;) {
    const ssize_t n = ::read(out_.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailErrno(code_, errno, what_ + ": read");
    if (n > 0 || buffer.empty()) return static_cast<size_t>(n);
    KUBEOS_TRY(Reap());
    return size_t{0};
  }
}

bool FoundInPath(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    const std::string file = std::string(dir) + "/" + std::string(name);
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(file.c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

Result<std::string> RunOrFail(core::CommandRunner& runner,
                              const std::vector<std::string>& argv,
                              Errc code) {
  auto result = runner.Run(argv);
  if (!result) {
    Error e = std::move(result).error();
    e.code = code;
    return std::unexpected(std::move(e));
  }
  if (result->exit_code != 0) {
    return Fail(code, Join(argv) + " failed (exit status " + std::to_string(result->exit_code) +
                          "): " + Trimmed(result->output));
  }
  return std::move(result->output);
}

Result<std::string> RepoDigestFor(const std::vector<std::string>& repo_digests,
                                  std::string_view reference) {
  const std::string_view wanted = RepositoryOf(reference);
  for (const std::string& entry : repo_digests) {
    const size_t at = entry.rfind("@sha256:");
    if (at == std::string::npos) continue;
    if (RepositoryOf(std::string_view(entry).substr(0, at)) != wanted) continue;
    std::string hex = entry.substr(at + 8);
    if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Fail(Errc::kImagePull, "malformed repository digest '" + entry + "'");
    }
    return hex;
  }
  std::string known;
  for (const auto& e : repo_digests) known += (known.empty() ? "" : ", ") + e;
  return Fail(Errc::kImagePull, "no repository digest for " + std::string(reference) +
                                    " (runtime reports: " + (known.empty() ? "none" : known) + ")");
}

}  // namespace kubeos::platform
