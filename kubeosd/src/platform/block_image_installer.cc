// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/block_image_installer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "base/log.h"
#include "platform/unique_fd.h"

namespace kubeos::platform {
namespace {

// Large enough for sequential disk throughput, small enough that memory stays flat.
constexpr size_t kChunk = 1024 * 1024;
constexpr size_t kAlign = 4096;

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<std::byte[], FreeDeleter>;

AlignedBuffer NewAlignedBuffer() {
  return AlignedBuffer(static_cast<std::byte*>(std::aligned_alloc(kAlign, kChunk)));
}

Result<UniqueFd> OpenDevice(const std::string& path, int flags) {
  // O_EXCL on a block device fails with EBUSY while it is mounted or otherwise claimed, so a
  // slot in use (the booted root above all) can never be opened for writing.
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd.valid())
    return FailErrno(errno == ENOSPC ? Errc::kNoSpace : Errc::kIo, errno, "open " + path);
  return fd;
}

Result<uint64_t> SizeOf(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return FailErrno(Errc::kIo, errno, "stat " + path);
  if (!S_ISBLK(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  uint64_t size = 0;
  if (::ioctl(fd, BLKGETSIZE64, &size) != 0) return FailErrno(Errc::kIo, errno, "size of " + path);
  return size;
}

Status PwriteAll(
    int fd, const std::byte* data, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      return FailErrno(errno == ENOSPC ? Errc::kNoSpace : Errc::kIo, errno, "write " + path);
    }
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return {};
}

// Reads until |buffer| is full or the source ends.
Result<size_t> Fill(core::ByteSource& source, std::span<std::byte> buffer) {
  size_t filled = 0;
  while (filled < buffer.size()) {
    KUBEOS_ASSIGN_OR_RETURN(const size_t n, source.Read(buffer.subspan(filled)));
    if (n == 0) break;
    filled += n;
  }
  return filled;
}

Status Sync(int fd, const std::string& path) {
  if (::fsync(fd) != 0) return FailErrno(Errc::kIo, errno, "fsync " + path);
  return {};
}

Status RunChecked(core::CommandRunner& runner, const std::vector<std::string>& argv) {
  KUBEOS_ASSIGN_OR_RETURN(const core::CommandResult r, runner.Run(argv));
  if (r.exit_code != 0) {
    return Fail(Errc::kIo,
                argv[0] + " exited with " + std::to_string(r.exit_code) + ": " + r.output);
  }
  return {};
}

// Mounts TempMount left behind under |base| by a kubeosd killed while extracting a tar: the
// slot stays mounted and every later O_EXCL open of it fails with EBUSY. |base| is kubeosd's
// own and one job runs at a time, so every slot.* there is a leftover of an earlier job.
Status DetachLeftoverMounts(const std::string& base) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const std::string path = entry.path().string();
    if (!entry.path().filename().string().starts_with("slot.")) continue;
    if (::umount2(path.c_str(), MNT_DETACH) == 0) {
      log::Notice("Detached " + path + ", left mounted by an interrupted tar install");
    } else if (errno != EINVAL && errno != ENOENT) {  // EINVAL: not (or no longer) a mount point
      return FailErrno(Errc::kIo, errno, "umount leftover " + path);
    }
    ::rmdir(path.c_str());
  }
  return {};  // a missing base is fine: nothing was ever mounted there
}

// A filesystem mounted on a private temporary directory, unmounted and removed on every path.
class TempMount {
 public:
  static Result<std::unique_ptr<TempMount>> Create(const std::string& base,
                                                   const std::string& device) {
    std::error_code ec;
    std::filesystem::create_directories(base, ec);
    if (ec) return Fail(Errc::kIo, "create " + base + ": " + ec.message());
    std::string dir = base + "/slot.XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) return FailErrno(Errc::kIo, errno, "mkdtemp " + dir);
    // Symlinks in the base would defeat libarchive's symlink checks on the extraction paths.
    char* real = ::realpath(dir.c_str(), nullptr);
    std::string resolved = real != nullptr ? real : dir;
    std::free(real);
    auto m = std::unique_ptr<TempMount>(new TempMount(resolved));
    if (::mount(device.c_str(), resolved.c_str(), "ext4", MS_NOSUID | MS_NODEV | MS_NOATIME,
                nullptr) != 0) {
      return FailErrno(Errc::kIo, errno, "mount " + device);
    }
    m->mounted_ = true;
    return m;
  }
  ~TempMount() {
    if (mounted_ && ::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
    ::rmdir(dir_.c_str());
  }
  TempMount(const TempMount&) = delete;
  TempMount& operator=(const TempMount&) = delete;

  const std::string& dir() const { return dir_; }

  // Flushes and unmounts, reporting errors the destructor would have to swallow.
  Status Finish() {
    UniqueFd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::syncfs(fd.get()) != 0)
      return FailErrno(Errc::kIo, errno, "syncfs " + dir_);
    fd.Reset();
    if (::umount2(dir_.c_str(), 0) != 0) return FailErrno(Errc::kIo, errno, "umount " + dir_);
    mounted_ = false;
    return {};
  }

 private:
  explicit TempMount(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  bool mounted_ = false;
};

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

struct ReaderState {
  core::ByteSource& source;
  std::vector<std::byte> buffer = std::vector<std::byte>(kChunk);
  std::optional<Error> error;  // the source's own error (cancel, download) wins over libarchive's
};

la_ssize_t ReadCallback(archive* a, void* user, const void** out) {
  auto* state = static_cast<ReaderState*>(user);
  auto n = state->source.Read(state->buffer);
  if (!n) {
    state->error = n.error();
    archive_set_error(a, EIO, "%s", n.error().message.c_str());
    return -1;
  }
  *out = state->buffer.data();
  return static_cast<la_ssize_t>(*n);
}

// Entry names are relative to the slot root; absolute names and ".." components would leave it.
bool EscapesRoot(std::string_view name) {
  if (name.starts_with('/')) return true;
  size_t pos = 0;
  while (pos <= name.size()) {
    const size_t end = std::min(name.find('/', pos), name.size());
    if (name.substr(pos, end - pos) == "..") return true;
    pos = end + 1;
  }
  return false;
}

Error ArchiveError(archive* a, const ReaderState& state, const std::string& context) {
  if (state.error) return *state.error;
  const int err = archive_errno(a);
  const char* text = archive_error_string(a);
  std::string message = context + ": " + (text != nullptr ? text : "unknown libarchive error");
  if (err != 0) message += std::string(" (") + std::strerror(err) + ")";
  return Error{err == ENOSPC ? Errc::kNoSpace : Errc::kIo, std::move(message)};
}

Status Extract(core::ByteSource& source, const std::string& root) {
  ReaderState state{source, std::vector<std::byte>(kChunk), std::nullopt};
  std::unique_ptr<archive, ArchiveReadDeleter> reader(archive_read_new());
  std::unique_ptr<archive, ArchiveWriteDeleter> writer(archive_write_disk_new());
  if (!reader || !writer) return Fail(Errc::kFailed, "libarchive: out of memory");
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  // Numeric owners on purpose (no archive_write_disk_set_standard_lookup): the image's users are
  // not the running system's.
  archive_write_disk_set_options(
      writer.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                        ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
                        ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  if (archive_read_open(reader.get(), &state, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) {
    return std::unexpected(ArchiveError(reader.get(), state, "open archive"));
  }
  for (;;) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(reader.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) return std::unexpected(ArchiveError(reader.get(), state, "read archive"));
    const std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (EscapesRoot(name))
      return Fail(Errc::kInvalidImage, "archive entry escapes the root: " + name);
    archive_entry_set_pathname(entry, (root + "/" + name).c_str());
    if (const char* link = archive_entry_hardlink(entry)) {
      if (EscapesRoot(link))
        return Fail(Errc::kInvalidImage, "hard link escapes the root: " + name);
      archive_entry_set_hardlink(entry, (root + "/" + link).c_str());
    }
    // A lost xattr, ACL or label is a broken OS image, so warnings count as failures.
    if (archive_write_header(writer.get(), entry) != ARCHIVE_OK) {
      return std::unexpected(ArchiveError(writer.get(), state, "extract " + name));
    }
    for (;;) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      const int d = archive_read_data_block(reader.get(), &block, &size, &offset);
      if (d == ARCHIVE_EOF) break;
      if (d != ARCHIVE_OK)
        return std::unexpected(ArchiveError(reader.get(), state, "read " + name));
      if (archive_write_data_block(writer.get(), block, size, offset) != ARCHIVE_OK) {
        return std::unexpected(ArchiveError(writer.get(), state, "write " + name));
      }
    }
    if (archive_write_finish_entry(writer.get()) != ARCHIVE_OK) {
      return std::unexpected(ArchiveError(writer.get(), state, "finish " + name));
    }
  }
  // Close applies deferred directory modes and times.
  if (archive_write_close(writer.get()) != ARCHIVE_OK) {
    return std::unexpected(ArchiveError(writer.get(), state, "finish extraction"));
  }
  return {};
}

}  // namespace

Result<bool> BlockImageInstaller::SameDevice(std::string_view a, std::string_view b) {
  struct stat sa {
  }, sb{};
  const std::string pa(a), pb(b);
  if (::stat(pa.c_str(), &sa) != 0) return FailErrno(Errc::kIo, errno, "stat " + pa);
  if (::stat(pb.c_str(), &sb) != 0) return FailErrno(Errc::kIo, errno, "stat " + pb);
  if (S_ISBLK(sa.st_mode) && S_ISBLK(sb.st_mode)) return sa.st_rdev == sb.st_rdev;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

Result<uint64_t> BlockImageInstaller::DeviceSize(const core::SlotDevice& slot) {
  KUBEOS_ASSIGN_OR_RETURN(const UniqueFd fd, OpenDevice(slot.device, O_RDONLY));
  return SizeOf(fd.get(), slot.device);
}

Status BlockImageInstaller::Invalidate(const core::SlotDevice& slot) {
  KUBEOS_TRY(DetachLeftoverMounts(mount_base_));  // every install invalidates the slot first
  KUBEOS_ASSIGN_OR_RETURN(const UniqueFd fd, OpenDevice(slot.device, O_WRONLY | O_EXCL));
  KUBEOS_ASSIGN_OR_RETURN(const uint64_t size, SizeOf(fd.get(), slot.device));
  // The first MiB holds every superblock blkid and GRUB look for first (ext4 at 1 KiB, XFS at 0,
  // btrfs at 64 KiB).
  const std::vector<std::byte> zeros(static_cast<size_t>(std::min<uint64_t>(size, kChunk)));
  KUBEOS_TRY(PwriteAll(fd.get(), zeros.data(), zeros.size(), 0, slot.device));
  return Sync(fd.get(), slot.device);
}

Result<uint64_t> BlockImageInstaller::WriteRaw(const core::SlotDevice& slot,
                                               core::ByteSource& source) {
  KUBEOS_ASSIGN_OR_RETURN(const UniqueFd fd, OpenDevice(slot.device, O_WRONLY | O_EXCL));
  KUBEOS_ASSIGN_OR_RETURN(const uint64_t capacity, SizeOf(fd.get(), slot.device));
  const auto no_space = [&](uint64_t need) {
    return Fail(Errc::kNoSpace, "image is larger than slot " +
                                    std::string(core::SlotName(slot.slot)) + " (" +
                                    std::to_string(capacity) + " bytes, needed at least " +
                                    std::to_string(need) + ")");
  };
  // The first MiB (with the superblock) is written last, after everything else is on disk: until
  // then the slot has no valid filesystem, whatever moment power is lost.
  AlignedBuffer head = NewAlignedBuffer();
  AlignedBuffer chunk = NewAlignedBuffer();
  if (!head || !chunk) return Fail(Errc::kFailed, "out of memory");
  KUBEOS_ASSIGN_OR_RETURN(const size_t head_size, Fill(source, std::span(head.get(), kChunk)));
  if (head_size > capacity) return no_space(head_size);
  uint64_t offset = head_size;
  while (head_size == kChunk) {
    KUBEOS_ASSIGN_OR_RETURN(const size_t n, Fill(source, std::span(chunk.get(), kChunk)));
    if (n == 0) break;
    if (offset + n > capacity) return no_space(offset + n);
    KUBEOS_TRY(PwriteAll(fd.get(), chunk.get(), n, offset, slot.device));
    // Start writeback now instead of at the final fsync, so the disk works while the network
    // does, and dirty page cache stays small on a node that is running workloads.
    ::sync_file_range(fd.get(), static_cast<off_t>(offset), static_cast<off_t>(n),
                      SYNC_FILE_RANGE_WRITE);
    offset += n;
  }
  KUBEOS_TRY(Sync(fd.get(), slot.device));
  KUBEOS_TRY(PwriteAll(fd.get(), head.get(), head_size, 0, slot.device));
  KUBEOS_TRY(Sync(fd.get(), slot.device));
  return offset;
}

Status BlockImageInstaller::ReadBack(const core::SlotDevice& slot,
                                     uint64_t length,
                                     core::Sha256& hash) {
  // O_DIRECT: the point is to hash what the disk holds, not the page cache we just filled.
  UniqueFd fd(::open(slot.device.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  if (!fd.valid() && errno == EINVAL) {
    fd = UniqueFd(::open(slot.device.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.valid()) ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
  }
  if (!fd.valid()) return FailErrno(Errc::kIo, errno, "open " + slot.device);
  AlignedBuffer buffer = NewAlignedBuffer();
  if (!buffer) return Fail(Errc::kFailed, "out of memory");
  uint64_t offset = 0;
  while (offset < length) {
    const uint64_t remaining = length - offset;
    // Direct I/O needs whole blocks: round the last read up and hash only what belongs.
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(kChunk, (remaining + kAlign - 1) / kAlign * kAlign));
    const ssize_t n = ::pread(fd.get(), buffer.get(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailErrno(Errc::kIo, errno, "read back " + slot.device);
    if (n == 0) return Fail(Errc::kIo, "read back " + slot.device + ": device ends early");
    const size_t used =
        static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(n), remaining));
    hash.Update(std::span<const std::byte>(buffer.get(), used));
    offset += used;
  }
  return {};
}

Status BlockImageInstaller::ExtractTar(const core::SlotDevice& slot,
                                       std::string_view fs_label,
                                       core::ByteSource& source) {
  KUBEOS_TRY(
      RunChecked(runner_, {"mkfs.ext4", "-F", "-q", "-L", std::string(fs_label), slot.device}));
  KUBEOS_ASSIGN_OR_RETURN(const auto mount, TempMount::Create(mount_base_, slot.device));
  KUBEOS_TRY(Extract(source, mount->dir()));
  return mount->Finish();
}

}  // namespace kubeos::platform
