// SPDX-License-Identifier: MulanPSL-2.0
// kubeosd-crashpoint (test-only, never installed): the real kubeosd (DaemonMain, real ports) whose
// mutating ports are decorated to number every step — file replacements, in-place writes
// (grubenv, /proc/sys, state.json goes through WriteAtomic), removals, and the image installer's
// stages — and to SIGKILL the process itself at step KUBEOS_CRASH_AT. Each step passed is
// appended to KUBEOS_CRASH_LOG ("N name") with write(2), so nothing is lost to the kill and the
// tests can enumerate the steps. Kinds of points:
//   before X / after X   just before / just after the real port call X
//   torn write P         a kill in the middle of replacing P: a temp file holding half the new
//                        bytes is left beside P (what PosixFileSystem leaves at that moment)
//   mid raw-write / mid tar-extract   the kill arrives once 1 MiB of the image went to the slot
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>

#include "daemon.h"

namespace {

using namespace kubeos;

class CrashPoints {
 public:
  CrashPoints() {
    if (const char* at = std::getenv("KUBEOS_CRASH_AT")) crash_at_ = std::strtoul(at, nullptr, 10);
    if (const char* log = std::getenv("KUBEOS_CRASH_LOG")) {
      fd_ = ::open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
  }
  // Numbers the step |name| and logs it; true when this is the step to die at (the caller may
  // then leave a partial result behind before calling Kill()).
  bool Reached(const std::string& name) {
    const std::string line = std::to_string(++count_) + " " + name + "\n";
    if (fd_ >= 0) (void)!::write(fd_, line.data(), line.size());
    return count_ == crash_at_;
  }
  [[noreturn]] static void Kill() {
    ::raise(SIGKILL);
    std::abort();  // not reached
  }
  void Step(const std::string& name) {
    if (Reached(name)) Kill();
  }

 private:
  unsigned long crash_at_ = 0;           // 0: never
  std::atomic<unsigned long> count_{0};  // jobs run on a worker thread
  int fd_ = -1;
};

CrashPoints& Points() {
  static CrashPoints points;
  return points;
}

class CrashingFileSystem final : public core::FileSystem {
 public:
  explicit CrashingFileSystem(core::FileSystem& real) : real_(real) {}
  Result<std::optional<core::FileContent>> Read(std::string_view path) override {
    return real_.Read(path);
  }
  Status WriteAtomic(std::string_view path, const core::FileContent& content) override {
    const std::string p(path);
    Points().Step("before write " + p);
    if (Points().Reached("torn write " + p)) {
      const auto slash = p.rfind('/');
      core::FileContent half = content;
      half.data.resize(content.data.size() / 2);
      (void)real_.WriteAtomic(
          p.substr(0, slash + 1) + "." + p.substr(slash + 1) + ".kubeos-tmp-crashpoint", half);
      CrashPoints::Kill();
    }
    auto st = real_.WriteAtomic(path, content);
    Points().Step("after write " + p);
    return st;
  }
  Status WriteInPlace(std::string_view path, std::string_view data) override {
    const std::string p(path);
    Points().Step("before write-in-place " + p);
    auto st = real_.WriteInPlace(path, data);
    Points().Step("after write-in-place " + p);
    return st;
  }
  Status Remove(std::string_view path) override {
    const std::string p(path);
    Points().Step("before remove " + p);
    auto st = real_.Remove(path);
    Points().Step("after remove " + p);
    return st;
  }

 private:
  core::FileSystem& real_;
};

// Passes the image through and kills the process once |after| bytes were handed over and the
// installer asks for more (so they have been written to the slot).
class CrashingSource final : public core::ByteSource {
 public:
  CrashingSource(core::ByteSource& real, std::string name) : real_(real), name_(std::move(name)) {}
  Result<size_t> Read(std::span<std::byte> buffer) override {
    if (!passed_ && done_ >= kAfter) {
      passed_ = true;
      Points().Step(name_);
    }
    auto n = real_.Read(buffer);
    if (n) done_ += *n;
    return n;
  }
  std::optional<uint64_t> TotalSize() const override { return real_.TotalSize(); }

 private:
  static constexpr uint64_t kAfter = 1 << 20;
  core::ByteSource& real_;
  std::string name_;
  uint64_t done_ = 0;
  bool passed_ = false;
};

class CrashingInstaller final : public core::ImageInstaller {
 public:
  explicit CrashingInstaller(core::ImageInstaller& real) : real_(real) {}
  Result<bool> SameDevice(std::string_view a, std::string_view b) override {
    return real_.SameDevice(a, b);
  }
  Result<uint64_t> DeviceSize(const core::SlotDevice& slot) override {
    return real_.DeviceSize(slot);
  }
  Status Invalidate(const core::SlotDevice& slot) override {
    Points().Step("before invalidate " + slot.device);
    auto st = real_.Invalidate(slot);
    Points().Step("after invalidate " + slot.device);
    return st;
  }
  Result<uint64_t> WriteRaw(const core::SlotDevice& slot, core::ByteSource& source) override {
    Points().Step("before raw-write " + slot.device);
    CrashingSource crashing(source, "mid raw-write " + slot.device);
    auto n = real_.WriteRaw(slot, crashing);
    Points().Step("after raw-write " + slot.device);
    return n;
  }
  Status ReadBack(const core::SlotDevice& slot, uint64_t length, core::Sha256& hash) override {
    Points().Step("before read-back " + slot.device);
    auto st = real_.ReadBack(slot, length, hash);
    Points().Step("after read-back " + slot.device);
    return st;
  }
  Status ExtractTar(const core::SlotDevice& slot,
                    std::string_view fs_label,
                    core::ByteSource& source) override {
    Points().Step("before tar-extract " + slot.device);
    CrashingSource crashing(source, "mid tar-extract " + slot.device);
    auto st = real_.ExtractTar(slot, fs_label, crashing);
    Points().Step("after tar-extract " + slot.device);
    return st;
  }

 private:
  core::ImageInstaller& real_;
};

}  // namespace

int main(int argc, char** argv) {
  PortWrappers wrap;
  wrap.files = [](core::FileSystem& real) { return std::make_unique<CrashingFileSystem>(real); };
  wrap.installer = [](core::ImageInstaller& real) {
    return std::make_unique<CrashingInstaller>(real);
  };
  return DaemonMain(argc, argv, wrap);
}
