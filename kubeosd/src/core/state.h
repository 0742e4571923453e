// SPDX-License-Identifier: MulanPSL-2.0
// The node's persistent record (on /persist, survives upgrades): applied config versions, the
// pending trial boot, per-slot knowledge and the last error; JSON on disk, written atomically.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/job_type.h"
#include "core/ports/file_system.h"
#include "core/slot.h"

namespace kubeos::core {

// What kubeosd knows about the contents of one slot.
enum class SlotHealth {
  kUnknown,     // never touched by kubeosd (factory image): trusted if it has a filesystem
  kInstalling,  // being written, or a write was interrupted: never boot it
  kInstalled,   // written and verified, trial boot not yet confirmed
  kGood,        // booted and passed its health check
  kBad,         // failed verification, its trial boot, or its health check
};
[[nodiscard]] std::string_view SlotHealthName(SlotHealth h);

struct SlotRecord {
  SlotHealth health = SlotHealth::kUnknown;
  std::string version;  // PRETTY_NAME installed by kubeosd, "" when unknown
};

// A trial boot armed by an upgrade or rollback, confirmed or reverted after the reboot.
struct PendingBoot {
  JobType type = JobType::kUpgrade;
  Slot target = Slot::kB;
  Slot previous = Slot::kA;
  std::string version;
  std::string post_config;  // JSON sysconfigs to apply once the new slot is confirmed
  // The boot (/proc/sys/kernel/random/boot_id) in which the trial was armed; set by the engine
  // when the arming job succeeds. A different boot id at start-up means the node rebooted.
  std::string boot_id;
};

struct NodeState {
  std::optional<std::string> sysconfigs_version;  // nullopt: nothing applied yet
  std::optional<std::string> upgradeconfigs_version;
  std::optional<PendingBoot> pending;
  SlotRecord slot_a;
  SlotRecord slot_b;
  std::string last_error;          // "ErrorName: message", "" after a success
  std::vector<std::string> needs;  // what applied changes still need ("reboot", …)
  std::string needs_boot_id;       // the boot |needs| were recorded in; a reboot clears them

  SlotRecord& Record(Slot s) { return s == Slot::kA ? slot_a : slot_b; }
  const SlotRecord& Record(Slot s) const { return s == Slot::kA ? slot_a : slot_b; }
};

[[nodiscard]] std::string SerializeState(const NodeState& state);
// Fails with Errc::kIo on malformed JSON; unknown fields are ignored (forward compatible).
[[nodiscard]] Result<NodeState> ParseState(std::string_view json);

// Loads and saves NodeState at one path through the FileSystem port.
class StateStore {
 public:
  StateStore(FileSystem& fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  // A missing file is an empty state.
  [[nodiscard]] Result<NodeState> Load();
  [[nodiscard]] Status Save(const NodeState& state);
  const std::string& path() const { return path_; }

 private:
  FileSystem& fs_;
  std::string path_;
};

}  // namespace kubeos::core
