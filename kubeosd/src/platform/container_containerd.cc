// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/container_containerd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/log.h"
#include "platform/container_cli.h"
#include "platform/unique_fd.h"

namespace kubeos::platform {
namespace {

// /os.tar read from a mounted snapshot; closing it unmounts and removes the snapshot.
class MountedFile final : public core::ByteSource {
 public:
  MountedFile(UniqueFd fd, uint64_t size, std::function<void()> cleanup)
      : fd_(std::move(fd)), size_(size), cleanup_(std::move(cleanup)) {}
  ~MountedFile() override {
    fd_.Reset();
    cleanup_();
  }
  MountedFile(const MountedFile&) = delete;
  MountedFile& operator=(const MountedFile&) = delete;

  Result<size_t> Read(std::span<std::byte> buffer) override {
    for (;;) {
      const ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return FailErrno(Errc::kIo, errno, "read /os.tar");
      return static_cast<size_t>(n);
    }
  }
  std::optional<uint64_t> TotalSize() const override { return size_; }

 private:
  UniqueFd fd_;
  uint64_t size_;
  std::function<void()> cleanup_;
};

}  // namespace

Result<std::string> ContainerdRuntime::Pull(const std::string& reference) {
  if (FoundInPath("crictl")) return PullWithCrictl(reference);
  return PullWithCtr(reference);
}

Result<std::string> ContainerdRuntime::PullWithCrictl(const std::string& reference) {
  log::Info("pulling " + reference + " with crictl");
  KUBEOS_TRY(RunOrFail(runner_, {"crictl", "pull", reference}, Errc::kImagePull));
  KUBEOS_ASSIGN_OR_RETURN(
      const std::string json,
      RunOrFail(runner_, {"crictl", "inspecti", "--output", "json", reference}, Errc::kImagePull));
  std::vector<std::string> digests;
  try {
    const auto parsed = nlohmann::json::parse(json);
    for (const auto& d : parsed.at("status").at("repoDigests")) {
      digests.push_back(d.get<std::string>());
    }
  } catch (const nlohmann::json::exception&) {
    return Fail(Errc::kImagePull, "crictl inspecti " + reference + ": unexpected output: " + json);
  }
  return RepoDigestFor(digests, reference);
}

Result<std::string> ContainerdRuntime::PullWithCtr(const std::string& reference) {
  log::Info("pulling " + reference + " with ctr");
  const std::string& ns = options_.name_space;
  KUBEOS_TRY(RunOrFail(
      runner_, {"ctr", "-n", ns, "images", "pull", "--hosts-dir", options_.hosts_dir, reference},
      Errc::kImagePull));
  // REF TYPE DIGEST SIZE PLATFORMS LABELS: the row of |reference|, its sha256: column.
  KUBEOS_ASSIGN_OR_RETURN(
      const std::string table,
      RunOrFail(runner_, {"ctr", "-n", ns, "images", "ls", "name==" + reference},
                Errc::kImagePull));
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    if (name != reference) continue;
    for (std::string word; words >> word;) {
      if (word.starts_with("sha256:")) return RepoDigestFor({name + "@" + word}, reference);
    }
  }
  return Fail(Errc::kImagePull, "ctr images ls does not list " + reference + ": " + table);
}

Result<std::unique_ptr<core::ByteSource>> ContainerdRuntime::OpenRootfsTar(
    const std::string& reference) {
  const std::string dir = options_.mount_dir + "/container-rootfs";
  const std::string ns = options_.name_space;
  core::CommandRunner& runner = runner_;
  // Unmounts and removes the snapshot (its key is the mount point); quiet when there is none.
  auto cleanup = [&runner, dir, ns] {
    (void)runner.Run({"ctr", "-n", ns, "images", "unmount", "--rm", dir});
    (void)runner.Run({"ctr", "-n", ns, "snapshots", "rm", dir});
    std::error_code ec;
    std::filesystem::remove(dir, ec);
  };
  cleanup();  // a mount left by an interrupted earlier job
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(Errc::kIo, "create " + dir + ": " + ec.message());
  if (auto mounted = RunOrFail(runner_, {"ctr", "-n", ns, "images", "mount", reference, dir},
                               Errc::kInvalidImage);
      !mounted) {
    cleanup();
    return std::unexpected(std::move(mounted).error());
  }
  // Never follow a symlink out of the snapshot: /os.tar must be a regular file of the image.
  UniqueFd fd(::open((dir + "/os.tar").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  int err = fd.valid() ? 0 : errno;
  struct stat st {};
  if (err == 0 && ::fstat(fd.get(), &st) != 0) err = errno;
  if (err == 0 && !S_ISREG(st.st_mode)) err = EINVAL;
  if (err != 0) {
    fd.Reset();
    cleanup();
    if (err == ENOENT) return Fail(Errc::kInvalidImage, "image " + reference + " has no /os.tar");
    return FailErrno(Errc::kInvalidImage, err,
                     "image " + reference + ": /os.tar is not a readable regular file");
  }
  return std::make_unique<MountedFile>(std::move(fd), static_cast<uint64_t>(st.st_size),
                                       std::move(cleanup));
}

}  // namespace kubeos::platform
