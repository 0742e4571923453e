// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/blkid_block_devices.h"

#include <blkid/blkid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "base/log.h"
#include "platform/posix_file_system.h"

namespace kubeos::platform {
namespace {

namespace fs = std::filesystem;

struct ProbeDeleter {
  void operator()(blkid_probe p) const { blkid_free_probe(p); }
};
using Probe = std::unique_ptr<std::remove_pointer_t<blkid_probe>, ProbeDeleter>;

struct Identity {
  std::string fs_type;
  std::string fs_label;
  std::string part_label;
};

std::string Lookup(blkid_probe probe, const char* name) {
  const char* value = nullptr;
  if (blkid_probe_lookup_value(probe, name, &value, nullptr) == 0 && value != nullptr) return value;
  return {};
}

Result<Identity> ProbeDevice(const std::string& device) {
  Probe probe(blkid_new_probe_from_filename(device.c_str()));
  if (!probe) return FailErrno(Errc::kIo, errno, "probe " + device);
  blkid_probe_enable_superblocks(probe.get(), 1);
  blkid_probe_set_superblocks_flags(probe.get(), BLKID_SUBLKS_LABEL | BLKID_SUBLKS_TYPE);
  blkid_probe_enable_partitions(probe.get(), 1);
  blkid_probe_set_partitions_flags(probe.get(), BLKID_PARTS_ENTRY_DETAILS);
  if (blkid_do_safeprobe(probe.get()) < 0) return Fail(Errc::kIo, "probe " + device + " failed");
  return Identity{Lookup(probe.get(), "TYPE"), Lookup(probe.get(), "LABEL"),
                  Lookup(probe.get(), "PART_ENTRY_NAME")};
}

// The device number of the filesystem mounted at |mount_point| (the last, i.e. top, mount).
Result<dev_t> MountedDevice(const std::string& mount_point) {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return FailErrno(Errc::kIo, errno, "open /proc/self/mountinfo");
  std::optional<dev_t> found;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, majmin, root, point;
    fields >> id >> parent >> majmin >> root >> point;
    if (point != mount_point) continue;
    unsigned major = 0, minor = 0;
    if (std::sscanf(majmin.c_str(), "%u:%u", &major, &minor) == 2) found = makedev(major, minor);
  }
  if (!found) return Fail(Errc::kNoStandbySlot, "nothing is mounted at " + mount_point);
  return *found;
}

// Kernel name of a block device number, e.g. "vda2" or "loop3p2".
Result<std::string> KernelName(dev_t dev) {
  std::error_code ec;
  const fs::path link =
      "/sys/dev/block/" + std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
  const fs::path target = fs::canonical(link, ec);
  if (ec)
    return Fail(Errc::kNoStandbySlot, "no block device " + link.string() + ": " + ec.message());
  return target.filename().string();
}

// "vda2" → "vda"; a whole disk stays itself.
std::string DiskOf(const std::string& name) {
  std::error_code ec;
  const fs::path sys = fs::canonical("/sys/class/block/" + name, ec);
  if (ec || !fs::exists(sys / "partition")) return name;
  return sys.parent_path().filename().string();
}

struct Partition {
  std::string device;
  dev_t devno = 0;
};

std::vector<Partition> PartitionsOf(const std::string& disk) {
  std::vector<Partition> parts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/sys/block/" + disk, ec)) {
    if (!fs::exists(entry.path() / "partition")) continue;
    std::ifstream dev_file(entry.path() / "dev");
    unsigned major_no = 0, minor_no = 0;
    char colon = 0;
    if (!(dev_file >> major_no >> colon >> minor_no)) continue;
    parts.push_back({"/dev/" + entry.path().filename().string(), makedev(major_no, minor_no)});
  }
  return parts;
}

std::string StripDev(const std::string& device) {
  return device.starts_with("/dev/") ? device.substr(5) : device;
}

// Unmounts and removes its directory when it goes out of scope.
class ScopedMount {
 public:
  ScopedMount() = default;
  ~ScopedMount() {
    if (!path_.empty()) {
      if (::umount2(path_.c_str(), 0) != 0) ::umount2(path_.c_str(), MNT_DETACH);
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  ScopedMount(const ScopedMount&) = delete;
  ScopedMount& operator=(const ScopedMount&) = delete;

  Status Mount(const std::string& device, const std::string& fs_type, const std::string& path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return Fail(Errc::kIo, "create " + path + ": " + ec.message());
    // noload: never replay a journal on a slot we only look at.
    const char* data = fs_type == "ext4" || fs_type == "ext3" ? "noload" : nullptr;
    if (::mount(device.c_str(), path.c_str(), fs_type.c_str(),
                MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, data) != 0) {
      const int err = errno;
      fs::remove(path, ec);
      return FailErrno(Errc::kIo, err, "mount " + device + " read-only at " + path);
    }
    path_ = path;
    return {};
  }

 private:
  std::string path_;
};

}  // namespace

Result<core::DiskLayout> BlkidBlockDevices::Discover() {
  auto root_dev = MountedDevice(
      options_.root == "/" ? "/" : fs::path(options_.root).lexically_normal().string());
  std::string disk = StripDev(options_.disk);
  if (disk.empty()) {
    if (!root_dev) return Forward(std::move(root_dev), "find the disk of the running root");
    KUBEOS_ASSIGN_OR_RETURN(std::string root_name, KernelName(*root_dev));
    disk = DiskOf(root_name);
  }

  core::DiskLayout layout;
  layout.disk = "/dev/" + disk;
  bool have_a = false, have_b = false;
  std::optional<core::Slot> booted = options_.booted_slot;
  for (const Partition& part : PartitionsOf(disk)) {
    auto id = ProbeDevice(part.device);
    if (!id) {
      log::Debug("Skipping " + part.device + ": " + id.error().message);
      continue;
    }
    // The GPT partition label identifies a slot; the filesystem label travels with images
    // written into either slot, so it only counts where there is no partition label.
    const std::string& name = !id->part_label.empty() ? id->part_label : id->fs_label;
    auto slot = core::ParseSlot(name);
    if (!slot || (name != "ROOT-A" && name != "ROOT-B")) continue;
    core::SlotDevice dev{*slot, part.device, id->fs_type, id->fs_label, id->part_label};
    if (*slot == core::Slot::kA) {
      if (have_a) return Fail(Errc::kNoStandbySlot, "two ROOT-A partitions on " + layout.disk);
      layout.a = dev;
      have_a = true;
    } else {
      if (have_b) return Fail(Errc::kNoStandbySlot, "two ROOT-B partitions on " + layout.disk);
      layout.b = dev;
      have_b = true;
    }
    if (!booted && root_dev && part.devno == *root_dev) booted = slot;
  }
  if (!have_a || !have_b) {
    return Fail(Errc::kNoStandbySlot, "no ROOT-A/ROOT-B partition pair on " + layout.disk);
  }
  if (!booted) {
    return Fail(Errc::kNoStandbySlot,
                "the running root is neither ROOT-A nor ROOT-B on " + layout.disk);
  }
  layout.booted = *booted;
  return layout;
}

Result<std::optional<std::string>> BlkidBlockDevices::ReadOsRelease(const core::SlotDevice& slot) {
  if (!slot.has_filesystem()) return std::optional<std::string>();
  ScopedMount mount;
  const std::string point = options_.mount_dir + "/" + std::string(core::SlotName(slot.slot));
  KUBEOS_TRY(mount.Mount(slot.device, slot.fs_type, point));
  PosixFileSystem files(point);
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto content = files.Read(path);
    if (!content)
      return Forward(std::move(content), "slot " + std::string(core::SlotName(slot.slot)));
    if (content->has_value()) return std::optional<std::string>((*content)->data);
  }
  return std::optional<std::string>();
}

}  // namespace kubeos::platform
