// SPDX-License-Identifier: MulanPSL-2.0
// Atomic replacement, in order: create a unique temp file beside the target, write, set owner
// and mode, fsync, rename over the target, fsync the directory. A crash at any point leaves
// either the old or the new file, never a mix; at worst a stray ".kubeos-tmp" file remains.
#include "platform/posix_file_system.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>
#include <random>

#include "platform/unique_fd.h"

namespace kubeos::platform {
namespace {

// Opens |relative| (no leading '/') below |root_fd| without leaving the root.
int OpenInRoot(int root_fd, const std::string& relative, int flags, mode_t mode = 0) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* p = relative.empty() ? "." : relative.c_str();
  for (;;) {
    const long fd = ::syscall(SYS_openat2, root_fd, p, &how, sizeof(how));
    if (fd >= 0 || errno != EINTR) return static_cast<int>(fd);
  }
}

Result<std::string> Relative(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return Fail(Errc::kInvalidArgs, "path must be absolute: '" + std::string(path) + "'");
  }
  if (path.find('\0') != std::string_view::npos) {
    return Fail(Errc::kInvalidArgs, "path contains NUL");
  }
  std::string rel(path.substr(1));
  while (!rel.empty() && rel.back() == '/') rel.pop_back();
  return rel;
}

std::pair<std::string, std::string> SplitParent(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno(errno == ENOSPC ? Errc::kNoSpace : Errc::kIo, errno, "write " + what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Opens (creating as needed, mode 0755) directory |rel| below the root.
Result<UniqueFd> OpenDirCreating(int root_fd, const std::string& rel) {
  UniqueFd dir(OpenInRoot(root_fd, rel, O_RDONLY | O_DIRECTORY));
  if (dir.valid()) return dir;
  if (errno != ENOENT) return FailErrno(Errc::kIo, errno, "open directory /" + rel);
  auto [parent, name] = SplitParent(rel);
  KUBEOS_ASSIGN_OR_RETURN(UniqueFd parent_fd, OpenDirCreating(root_fd, parent));
  if (::mkdirat(parent_fd.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
    return FailErrno(Errc::kIo, errno, "create directory /" + rel);
  }
  UniqueFd created(OpenInRoot(root_fd, rel, O_RDONLY | O_DIRECTORY));
  if (!created.valid()) return FailErrno(Errc::kIo, errno, "open directory /" + rel);
  return created;
}

std::string TempName(const std::string& name) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return "." + name + ".kubeos-tmp-" + std::to_string(rng() % 1000000000);
}

}  // namespace

PosixFileSystem::PosixFileSystem(std::string root) : root_(std::move(root)) {
  if (root_.empty()) root_ = "/";
}

std::string PosixFileSystem::HostPath(std::string_view path) const {
  if (root_ == "/") return std::string(path);
  return root_ + std::string(path);
}

Result<std::optional<core::FileContent>> PosixFileSystem::Read(std::string_view path) {
  KUBEOS_ASSIGN_OR_RETURN(std::string rel, Relative(path));
  UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return FailErrno(Errc::kIo, errno, "open root " + root_);
  UniqueFd fd(OpenInRoot(root.get(), rel, O_RDONLY));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<core::FileContent>();
    return FailErrno(Errc::kIo, errno, "open " + std::string(path));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return FailErrno(Errc::kIo, errno, "stat " + std::string(path));
  if (!S_ISREG(st.st_mode)) return Fail(Errc::kIo, std::string(path) + " is not a regular file");
  core::FileContent content;
  content.mode = st.st_mode & 07777;
  content.uid = st.st_uid;
  content.gid = st.st_gid;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno(Errc::kIo, errno, "read " + std::string(path));
    }
    if (n == 0) break;
    content.data.append(buf, static_cast<size_t>(n));
  }
  return std::optional<core::FileContent>(std::move(content));
}

Status PosixFileSystem::WriteAtomic(std::string_view path, const core::FileContent& content) {
  KUBEOS_ASSIGN_OR_RETURN(std::string rel, Relative(path));
  auto [parent, name] = SplitParent(rel);
  if (name.empty() || name == "." || name == "..") {
    return Fail(Errc::kInvalidArgs, "not a file path: '" + std::string(path) + "'");
  }
  UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return FailErrno(Errc::kIo, errno, "open root " + root_);
  KUBEOS_ASSIGN_OR_RETURN(UniqueFd dir, OpenDirCreating(root.get(), parent));

  const std::string tmp = TempName(name);
  UniqueFd fd(::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid())
    return FailErrno(Errc::kIo, errno, "create temporary file for " + std::string(path));
  auto fail = [&](Status st) -> Status {
    ::unlinkat(dir.get(), tmp.c_str(), 0);
    return st;
  };
  if (auto st = WriteAll(fd.get(), content.data, std::string(path)); !st)
    return fail(std::move(st));
  if (::fchown(fd.get(), content.uid, content.gid) != 0) {
    return fail(FailErrno(Errc::kIo, errno, "chown " + std::string(path)));
  }
  if (::fchmod(fd.get(), content.mode & 07777) != 0) {
    return fail(FailErrno(Errc::kIo, errno, "chmod " + std::string(path)));
  }
  if (::fsync(fd.get()) != 0)
    return fail(FailErrno(Errc::kIo, errno, "fsync " + std::string(path)));
  fd.Reset();
  if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0) {
    return fail(FailErrno(Errc::kIo, errno, "rename into " + std::string(path)));
  }
  if (::fsync(dir.get()) != 0) {
    return FailErrno(Errc::kIo, errno, "fsync directory of " + std::string(path));
  }
  return {};
}

Status PosixFileSystem::WriteInPlace(std::string_view path, std::string_view data) {
  KUBEOS_ASSIGN_OR_RETURN(std::string rel, Relative(path));
  UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return FailErrno(Errc::kIo, errno, "open root " + root_);
  // No O_TRUNC: the file keeps its blocks (and on FAT its clusters), so rewriting a same-sized
  // file such as grubenv touches only the sectors whose bytes change.
  UniqueFd fd(OpenInRoot(root.get(), rel, O_WRONLY));
  if (!fd.valid()) return FailErrno(Errc::kIo, errno, "open " + std::string(path));
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(fd.get(), data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno(errno == ENOSPC ? Errc::kNoSpace : Errc::kIo, errno,
                       "write " + std::string(path));
    }
    done += static_cast<size_t>(n);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size > static_cast<off_t>(data.size())) {
    if (::ftruncate(fd.get(), static_cast<off_t>(data.size())) != 0) {
      return FailErrno(Errc::kIo, errno, "truncate " + std::string(path));
    }
  }
  // Pseudo files (/proc/sys) cannot be synced and need not be.
  if (::fsync(fd.get()) != 0 && errno != EINVAL && errno != EROFS) {
    return FailErrno(Errc::kIo, errno, "fsync " + std::string(path));
  }
  return {};
}

Status PosixFileSystem::Remove(std::string_view path) {
  KUBEOS_ASSIGN_OR_RETURN(std::string rel, Relative(path));
  auto [parent, name] = SplitParent(rel);
  UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return FailErrno(Errc::kIo, errno, "open root " + root_);
  UniqueFd dir(OpenInRoot(root.get(), parent, O_RDONLY | O_DIRECTORY));
  if (!dir.valid()) {
    if (errno == ENOENT) return {};
    return FailErrno(Errc::kIo, errno, "open directory of " + std::string(path));
  }
  if (::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
    return FailErrno(Errc::kIo, errno, "remove " + std::string(path));
  }
  if (::fsync(dir.get()) != 0)
    return FailErrno(Errc::kIo, errno, "fsync directory of " + std::string(path));
  return {};
}

}  // namespace kubeos::platform
