// SPDX-License-Identifier: MulanPSL-2.0
// The engine: the single entry point of every operation. It enforces one job at a time, runs the
// job on its worker thread, tracks progress and cancellation, keeps the persistent node state and
// answers Status. It knows nothing of D-Bus; the adaptor calls it after validation and polkit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "core/job.h"
#include "core/ports/ports.h"
#include "core/requests.h"
#include "core/settings.h"
#include "core/state.h"

namespace kubeos::core {

struct JobSnapshot {
  uint32_t id = 0;
  JobType type = JobType::kUpgrade;
  std::string stage;
  uint32_t progress = 0;  // percent
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
};

enum class JobResult { kDone, kFailed, kCancelled };
[[nodiscard]] std::string_view JobResultName(JobResult r);

// Everything Status reports. Empty strings mean unknown.
struct StatusReport {
  std::string booted_slot;
  std::string booted_version;
  std::string other_slot;
  std::string other_version;
  bool other_valid = false;
  std::string default_slot;
  std::string next_boot_slot;
  std::string state;  // "idle", "upgrading", "rolling-back", "configuring", "pending-reboot", …
  std::optional<JobSnapshot> active_job;
  std::string sysconfigs_version;
  std::string upgradeconfigs_version;
  bool pending_reboot = false;
  std::string pending_slot;
  std::string pending_version;
  std::string last_error;
  std::string disk;
  std::string booted_device;
  std::string other_device;
  std::vector<std::string> needs;
};

// Receives engine events. Called on the engine's worker thread (or the caller's thread for
// OnStateChanged after Start); implementations hand them over to their own thread.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void OnJobStarted(const JobSnapshot& job) = 0;
  // Throttled: a few per second at most, plus every stage change.
  virtual void OnJobChanged(const JobSnapshot& job) = 0;
  virtual void OnJobRemoved(const JobSnapshot& job,
                            JobResult result,
                            const Error* error,
                            const std::string& message) = 0;
  virtual void OnStateChanged() = 0;
};

// The work of one job type. The default set (MakeDefaultJobs) implements what this build can do;
// tests substitute their own.
struct JobHandlers {
  std::function<Result<JobOutcome>(const UpgradeRequest&, JobContext&)> upgrade;
  std::function<Result<JobOutcome>(const RollbackRequest&, JobContext&)> rollback;
  std::function<Result<JobOutcome>(const ConfigRequest&, JobContext&)> config;
  // Runs at start-up when the state records a trial boot that was rebooted into: confirm (health
  // check, commit, post-config) or revert. Its job has the pending boot's type.
  std::function<Result<JobOutcome>(JobContext&)> confirm_boot;
};

class Engine {
 public:
  Engine(Ports ports, Settings settings, JobHandlers handlers);
  ~Engine();  // waits for a running job's thread
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads the disk layout, slot contents and state, and from then on reports to |observer|
  // (which must outlive the engine's jobs). Call once before serving requests; it starts the
  // boot confirmation job when the node rebooted into a trial boot.
  [[nodiscard]] Status Initialize(EngineObserver& observer);

  // Each starts a job and returns at once. Errc::kBusy (naming the running job) when one runs.
  [[nodiscard]] Result<JobSnapshot> StartUpgrade(UpgradeRequest request);
  [[nodiscard]] Result<JobSnapshot> StartRollback(RollbackRequest request);
  [[nodiscard]] Result<JobSnapshot> StartConfig(ConfigRequest request);

  // kNoSuchJob, kNotCancellable, or success (the job ends as cancelled soon after).
  [[nodiscard]] Status Cancel(uint32_t job_id);

  [[nodiscard]] std::optional<JobSnapshot> FindJob(uint32_t job_id) const;
  [[nodiscard]] StatusReport GetStatus() const;

  // Waits until no job runs (shutdown, tests).
  void WaitIdle();

 private:
  class RunningJob;
  using Work = std::function<Result<JobOutcome>(JobContext&)>;

  // What the disk says about the slots; re-read at start-up and after every job.
  struct SlotFacts {
    std::optional<DiskLayout> layout;
    std::string booted_version;
    std::string other_version;
    std::string error;  // why the layout is unknown
  };

  Result<JobSnapshot> Start(JobType type, Work work);
  void RunJob(std::shared_ptr<RunningJob> job, Work work);
  Status UpdateState(const std::function<void(NodeState&)>& mutate);
  void RefreshSlots();
  std::string CurrentBootId() const;
  std::string StateNameLocked() const;

  Ports ports_;
  Settings settings_;
  JobHandlers handlers_;
  EngineObserver* observer_ = nullptr;  // set by Initialize
  StateStore store_;

  mutable std::mutex mu_;
  NodeState state_;                     // guarded by mu_
  std::shared_ptr<RunningJob> active_;  // guarded by mu_
  uint32_t next_job_id_ = 1;            // guarded by mu_
  SlotFacts slots_;                     // guarded by mu_
  std::string boot_id_;                 // set once by Initialize
  std::thread worker_;                  // guarded by mu_
};

}  // namespace kubeos::core
