// SPDX-License-Identifier: MulanPSL-2.0
// Job lifecycle, in order:
//   1. Start*: refuse with Busy while a job runs; otherwise create the job and its worker thread.
//   2. The worker runs the job's work function, which reports through JobContext.
//   3. On success, a trial boot armed by the job is stamped with the current boot id, so that a
//      later start-up can tell "rebooted into the trial" from "daemon restarted".
//   4. Slot facts are re-read, the job is removed (JobRemoved), then a requested reboot happens.
#include "core/engine.h"

#include <algorithm>
#include <atomic>

#include "base/log.h"
#include "core/os_release.h"

namespace kubeos::core {
namespace {

constexpr auto kProgressInterval = std::chrono::milliseconds(250);

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string FormatError(const Error& e) {
  return std::string(ErrorName(e.code)) + ": " + e.message;
}

}  // namespace

std::string_view JobResultName(JobResult r) {
  switch (r) {
    case JobResult::kDone:
      return "done";
    case JobResult::kFailed:
      return "failed";
    case JobResult::kCancelled:
      return "cancelled";
  }
  return "failed";
}

// The engine's side of a running job: its snapshot, cancel flag and throttled progress.
class Engine::RunningJob final : public JobContext {
 public:
  RunningJob(Engine& engine, JobSnapshot snapshot)
      : engine_(engine), snapshot_(std::move(snapshot)) {}

  void SetStage(std::string_view stage) override {
    JobSnapshot copy;
    {
      std::lock_guard lock(mu_);
      if (snapshot_.stage == stage) return;
      snapshot_.stage = std::string(stage);
      copy = snapshot_;
    }
    log::Info("job " + std::to_string(copy.id) + ": " + copy.stage,
              {{"JOB", std::to_string(copy.id)}, {"STAGE", copy.stage}});
    engine_.observer_->OnJobChanged(copy);
  }

  void SetProgress(uint64_t done, uint64_t total) override {
    JobSnapshot copy;
    {
      std::lock_guard lock(mu_);
      snapshot_.bytes_done = done;
      snapshot_.bytes_total = total;
      snapshot_.progress =
          total == 0 ? 0 : static_cast<uint32_t>(std::min<uint64_t>(100, done * 100 / total));
      const auto now = engine_.ports_.clock.Now();
      const bool finished = total != 0 && done >= total;
      if (!finished && now - last_emit_ < kProgressInterval) return;
      last_emit_ = now;
      copy = snapshot_;
    }
    engine_.observer_->OnJobChanged(copy);
  }

  bool IsCancelled() const override { return cancelled_.load(); }

  Status CheckCancelled() const override {
    if (cancelled_.load()) return Fail(Errc::kCancelled, "job cancelled");
    return {};
  }

  Status EnterPointOfNoReturn() override {
    std::lock_guard lock(mu_);
    if (cancelled_.load()) return Fail(Errc::kCancelled, "job cancelled");
    no_return_ = true;
    return {};
  }

  NodeState State() const override {
    std::lock_guard lock(engine_.mu_);
    return engine_.state_;
  }

  Status UpdateState(const std::function<void(NodeState&)>& mutate) override {
    return engine_.UpdateState(mutate);
  }

  Status Cancel() {
    std::lock_guard lock(mu_);
    if (no_return_) {
      return Fail(Errc::kNotCancellable,
                  "job " + std::to_string(snapshot_.id) + " is past its point of no return");
    }
    cancelled_.store(true);
    return {};
  }

  JobSnapshot Snapshot() const {
    std::lock_guard lock(mu_);
    return snapshot_;
  }

 private:
  Engine& engine_;
  mutable std::mutex mu_;
  JobSnapshot snapshot_;                               // guarded by mu_
  bool no_return_ = false;                             // guarded by mu_
  std::chrono::steady_clock::time_point last_emit_{};  // guarded by mu_
  std::atomic<bool> cancelled_{false};
};

Engine::Engine(Ports ports, Settings settings, JobHandlers handlers)
    : ports_(ports),
      settings_(std::move(settings)),
      handlers_(std::move(handlers)),
      store_(ports.fs, settings_.state_file) {}

Engine::~Engine() { WaitIdle(); }

void Engine::WaitIdle() {
  std::thread worker;
  {
    std::lock_guard lock(mu_);
    worker = std::move(worker_);
  }
  if (worker.joinable()) worker.join();
}

std::string Engine::CurrentBootId() const {
  auto content = ports_.fs.Read(settings_.boot_id);
  if (!content || !content->has_value()) return {};
  return Trim((*content)->data);
}

Status Engine::UpdateState(const std::function<void(NodeState&)>& mutate) {
  std::lock_guard lock(mu_);
  NodeState next = state_;
  mutate(next);
  KUBEOS_TRY(store_.Save(next));
  state_ = std::move(next);
  return {};
}

Status Engine::Initialize(EngineObserver& observer) {
  observer_ = &observer;
  boot_id_ = CurrentBootId();
  auto loaded = store_.Load();
  if (!loaded) {
    // A damaged state file must not keep the node from being managed; it is replaced on the
    // next save, and the error stays visible.
    log::Err("Failed to load state, starting empty: " + loaded.error().message);
  }
  NodeState state = loaded ? std::move(*loaded) : NodeState{};
  if (!state.needs.empty() && state.needs_boot_id != boot_id_) {
    state.needs.clear();  // a reboot happened since: everything waiting for one took effect
  }
  {
    std::lock_guard lock(mu_);
    state_ = std::move(state);
  }
  RefreshSlots();

  std::optional<PendingBoot> pending;
  {
    std::lock_guard lock(mu_);
    pending = state_.pending;
  }
  if (!pending) return {};
  if (pending->boot_id.empty()) {
    // The arming job died between arming the trial and finishing: nobody was told about the
    // trial, so do not boot into it behind the caller's back.
    log::Warning("Disarming a trial boot left by an interrupted job",
                 {{"SLOT", std::string(SlotName(pending->target))}});
    if (auto st = ports_.boot.DisarmTrialBoot(); !st) {
      log::Err("Failed to disarm trial boot: " + st.error().message);
    }
    return UpdateState([&](NodeState& s) {
      s.pending.reset();
      s.last_error = std::string(ErrorName(Errc::kFailed)) +
                     ": the previous job was interrupted before it finished";
    });
  }
  if (pending->boot_id == boot_id_) return {};  // armed, reboot still to come
  if (!handlers_.confirm_boot) return Fail(Errc::kNotSupported, "no boot confirmation handler");
  auto started = Start(pending->type, handlers_.confirm_boot);
  if (!started) return Forward(std::move(started), "start boot confirmation");
  return {};
}

Result<JobSnapshot> Engine::StartUpgrade(UpgradeRequest request) {
  return Start(JobType::kUpgrade, [this, request = std::move(request)](JobContext& ctx) {
    return handlers_.upgrade ? handlers_.upgrade(request, ctx)
                             : Fail(Errc::kNotSupported, "upgrade is not supported by this build");
  });
}

Result<JobSnapshot> Engine::StartRollback(RollbackRequest request) {
  return Start(JobType::kRollback, [this, request = std::move(request)](JobContext& ctx) {
    return handlers_.rollback
               ? handlers_.rollback(request, ctx)
               : Fail(Errc::kNotSupported, "rollback is not supported by this build");
  });
}

Result<JobSnapshot> Engine::StartConfig(ConfigRequest request) {
  return Start(JobType::kConfig, [this, request = std::move(request)](JobContext& ctx) {
    return handlers_.config
               ? handlers_.config(request, ctx)
               : Fail(Errc::kNotSupported, "configuration is not supported by this build");
  });
}

Result<JobSnapshot> Engine::Start(JobType type, Work work) {
  std::shared_ptr<RunningJob> job;
  std::thread previous;
  if (observer_ == nullptr) return Fail(Errc::kFailed, "engine used before Initialize");
  {
    std::lock_guard lock(mu_);
    if (active_) {
      const JobSnapshot running = active_->Snapshot();
      return Fail(Errc::kBusy, "another job is running: job " + std::to_string(running.id) + " (" +
                                   std::string(JobTypeName(running.type)) + ")");
    }
    previous = std::move(worker_);
    job = std::make_shared<RunningJob>(*this, JobSnapshot{next_job_id_++, type, "starting"});
    active_ = job;
  }
  if (previous.joinable()) previous.join();  // it finished: active_ was cleared
  const JobSnapshot snapshot = job->Snapshot();
  log::Log(LOG_NOTICE,
           "Started " + std::string(JobTypeName(type)) + " job " + std::to_string(snapshot.id),
           {{"JOB", std::to_string(snapshot.id)}, {"OPERATION", std::string(JobTypeName(type))}},
           log::kMsgJobStarted);
  observer_->OnJobStarted(snapshot);
  observer_->OnStateChanged();
  std::lock_guard lock(mu_);
  worker_ = std::thread(&Engine::RunJob, this, std::move(job), std::move(work));
  return snapshot;
}

void Engine::RunJob(std::shared_ptr<RunningJob> job, Work work) {
  Result<JobOutcome> outcome = work(*job);
  const JobSnapshot snapshot = job->Snapshot();
  const std::string id = std::to_string(snapshot.id);
  const std::string op(JobTypeName(snapshot.type));

  JobResult result = JobResult::kDone;
  std::string message;
  std::optional<Error> error;
  if (outcome) {
    message = outcome->message;
    error = outcome->failure;
    auto saved = UpdateState([&](NodeState& s) {
      if (s.pending && s.pending->boot_id.empty()) s.pending->boot_id = boot_id_;
      s.last_error = error ? FormatError(*error) : std::string();
      for (const auto& need : outcome->needs) {
        if (std::find(s.needs.begin(), s.needs.end(), need) == s.needs.end()) {
          s.needs.push_back(need);
        }
      }
      s.needs_boot_id = boot_id_;
    });
    if (!saved) error = std::move(saved).error().Wrap("record job result");
  } else {
    error = outcome.error();
  }
  if (error) {
    result = error->code == Errc::kCancelled ? JobResult::kCancelled : JobResult::kFailed;
    if (!outcome) message = error->message;
    (void)UpdateState([&](NodeState& s) { s.last_error = FormatError(*error); });
    log::Log(LOG_ERR,
             "Job " + id + " (" + op + ") " + std::string(JobResultName(result)) + ": " +
                 FormatError(*error),
             {{"JOB", id}, {"OPERATION", op}, {"ERROR", std::string(ErrorName(error->code))}},
             log::kMsgJobFailed);
  } else {
    log::Log(LOG_NOTICE,
             "Job " + id + " (" + op + ") done" + (message.empty() ? "" : ": " + message),
             {{"JOB", id}, {"OPERATION", op}}, log::kMsgJobDone);
  }

  RefreshSlots();
  {
    std::lock_guard lock(mu_);
    active_.reset();
  }
  observer_->OnJobRemoved(snapshot, result, error ? &*error : nullptr, message);
  observer_->OnStateChanged();

  if (outcome && outcome->reboot_requested) {
    log::Notice("Rebooting, as job " + id + " requested", {{"JOB", id}});
    if (auto st = ports_.power.Reboot(); !st) {
      log::Err("Failed to request reboot: " + st.error().message, {{"JOB", id}});
      (void)UpdateState([&](NodeState& s) { s.last_error = FormatError(st.error()); });
      observer_->OnStateChanged();
    }
  }
}

Status Engine::Cancel(uint32_t job_id) {
  std::shared_ptr<RunningJob> job;
  {
    std::lock_guard lock(mu_);
    job = active_;
  }
  if (!job || job->Snapshot().id != job_id) {
    return Fail(Errc::kNoSuchJob, "no running job " + std::to_string(job_id));
  }
  KUBEOS_TRY(job->Cancel());
  log::Notice("Cancel requested for job " + std::to_string(job_id),
              {{"JOB", std::to_string(job_id)}});
  return {};
}

std::optional<JobSnapshot> Engine::FindJob(uint32_t job_id) const {
  std::lock_guard lock(mu_);
  if (!active_) return std::nullopt;
  JobSnapshot s = active_->Snapshot();
  if (s.id != job_id) return std::nullopt;
  return s;
}

void Engine::RefreshSlots() {
  SlotFacts facts;
  auto layout = ports_.blocks.Discover();
  if (!layout) {
    log::Warning("Cannot identify the A/B slots: " + layout.error().message);
    facts.error = layout.error().message;
  } else {
    facts.layout = *layout;
    const SlotDevice& other = layout->Get(OtherSlot(layout->booted));
    if (other.has_filesystem()) {
      auto os_release = ports_.blocks.ReadOsRelease(other);
      if (!os_release) {
        log::Warning("Cannot read the other slot's os-release: " + os_release.error().message);
      } else if (os_release->has_value()) {
        facts.other_version = PrettyNameFromOsRelease(**os_release);
      }
    }
  }
  for (const std::string& path : {settings_.os_release, std::string("/usr/lib/os-release")}) {
    auto content = ports_.fs.Read(path);
    if (content && content->has_value()) {
      facts.booted_version = PrettyNameFromOsRelease((*content)->data);
      break;
    }
  }
  std::lock_guard lock(mu_);
  slots_ = std::move(facts);
}

std::string Engine::StateNameLocked() const {
  if (active_) {
    const JobSnapshot s = active_->Snapshot();
    if (state_.pending && !state_.pending->boot_id.empty() && state_.pending->boot_id != boot_id_) {
      return "trial-boot";  // the confirmation job after a reboot
    }
    switch (s.type) {
      case JobType::kUpgrade:
        return "upgrading";
      case JobType::kRollback:
        return "rolling-back";
      case JobType::kConfig:
        return "configuring";
    }
  }
  if (state_.pending && state_.pending->boot_id == boot_id_) return "pending-reboot";
  return "idle";
}

StatusReport Engine::GetStatus() const {
  auto boot = ports_.boot.Read();  // outside the lock: file I/O
  if (!boot) log::Warning("Cannot read the boot loader state: " + boot.error().message);

  std::lock_guard lock(mu_);
  StatusReport r;
  if (slots_.layout) {
    const DiskLayout& l = *slots_.layout;
    const Slot other = OtherSlot(l.booted);
    const SlotDevice& other_dev = l.Get(other);
    const SlotHealth health = state_.Record(other).health;
    r.booted_slot = SlotName(l.booted);
    r.other_slot = SlotName(other);
    r.disk = l.disk;
    r.booted_device = l.Get(l.booted).device;
    r.other_device = other_dev.device;
    r.other_valid = other_dev.has_filesystem() && health != SlotHealth::kInstalling &&
                    health != SlotHealth::kBad;
    r.other_version =
        !slots_.other_version.empty() ? slots_.other_version : state_.Record(other).version;
  }
  r.booted_version = slots_.booted_version;
  if (boot) {
    if (boot->default_slot) r.default_slot = SlotName(*boot->default_slot);
    if (boot->next_slot) r.next_boot_slot = SlotName(*boot->next_slot);
  }
  if (r.next_boot_slot.empty()) r.next_boot_slot = r.default_slot;
  r.state = StateNameLocked();
  if (active_) r.active_job = active_->Snapshot();
  r.sysconfigs_version = state_.sysconfigs_version.value_or("");
  r.upgradeconfigs_version = state_.upgradeconfigs_version.value_or("");
  r.pending_reboot = state_.pending && state_.pending->boot_id == boot_id_;
  if (state_.pending) {
    r.pending_slot = SlotName(state_.pending->target);
    r.pending_version = state_.pending->version;
  }
  r.last_error = state_.last_error;
  if (r.last_error.empty() && !slots_.error.empty()) {
    r.last_error = std::string(ErrorName(Errc::kNoStandbySlot)) + ": " + slots_.error;
  }
  r.needs = state_.needs;
  if (r.pending_reboot && std::find(r.needs.begin(), r.needs.end(), "reboot") == r.needs.end()) {
    r.needs.insert(r.needs.begin(), "reboot");
  }
  return r;
}

}  // namespace kubeos::core
