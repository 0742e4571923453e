// SPDX-License-Identifier: MulanPSL-2.0
// The engine's job lifecycle: one job at a time, cancellation, throttled progress, trial-boot
// bookkeeping across "reboots" (boot id changes) and Status.
#include "core/engine.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "fakes/fake_ports.h"
#include "platform/posix_file_system.h"
#include "support/temp_dir.h"

namespace kubeos::core {
namespace {

using kubeos::testing::FakeBlockDevices;
using kubeos::testing::FakeBootloader;
using kubeos::testing::FakeClock;
using kubeos::testing::FakePower;
using kubeos::testing::TempDir;

// Records what the engine reports; tests wait for JobRemoved.
class RecordingObserver final : public EngineObserver {
 public:
  struct Removed {
    JobSnapshot job;
    JobResult result;
    std::optional<Errc> error;
    std::string message;
  };

  void OnJobStarted(const JobSnapshot& job) override {
    std::lock_guard lock(mu_);
    started.push_back(job);
  }
  void OnJobChanged(const JobSnapshot& job) override {
    std::lock_guard lock(mu_);
    changes.push_back(job);
  }
  void OnJobRemoved(const JobSnapshot& job,
                    JobResult result,
                    const Error* error,
                    const std::string& message) override {
    std::lock_guard lock(mu_);
    removed.push_back({job, result, error ? std::optional(error->code) : std::nullopt, message});
    cv_.notify_all();
  }
  void OnStateChanged() override {}

  Removed WaitRemoved(size_t count = 1) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(
        cv_.wait_for(lock, std::chrono::seconds(10), [&] { return removed.size() >= count; }));
    return removed.size() >= count ? removed[count - 1] : Removed{};
  }
  std::vector<JobSnapshot> Changes() {
    std::lock_guard lock(mu_);
    return changes;
  }

  std::vector<JobSnapshot> started;
  std::vector<JobSnapshot> changes;
  std::vector<Removed> removed;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : files_(dir_.path().string()) {
    dir_.Write("etc/os-release", "NAME=KubeOS\nPRETTY_NAME=\"KubeOS 1.0.0\"\n");
    dir_.Write("proc/sys/kernel/random/boot_id", "boot-1\n");
    blocks_.os_release[Slot::kB] = "PRETTY_NAME=\"KubeOS 0.9.0\"\n";
  }

  std::unique_ptr<Engine> MakeEngine(JobHandlers handlers = {}) {
    auto engine = std::make_unique<Engine>(Ports{files_, blocks_, boot_, power_, clock_},
                                           Settings{}, std::move(handlers));
    EXPECT_TRUE(engine->Initialize(observer_));
    return engine;
  }

  NodeState SavedState() {
    auto parsed = ParseState(dir_.Read("persist/kubeos/state.json"));
    EXPECT_TRUE(parsed);
    return parsed ? *parsed : NodeState{};
  }

  // A handler that blocks until Release(), so a job can be observed while it runs.
  struct Gate {
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released{release.get_future().share()};
  };

  TempDir dir_;
  platform::PosixFileSystem files_;
  FakeBlockDevices blocks_;
  FakeBootloader boot_;
  FakePower power_;
  FakeClock clock_;
  RecordingObserver observer_;
};

TEST_F(EngineTest, SecondRequestWhileAJobRunsIsBusyAndNamesTheJob) {
  Gate gate;
  JobHandlers h;
  h.upgrade = [&](const UpgradeRequest&, JobContext&) -> Result<JobOutcome> {
    gate.entered.set_value();
    gate.released.wait();
    return JobOutcome{};
  };
  auto engine = MakeEngine(std::move(h));
  auto first = engine->StartUpgrade(UpgradeRequest{});
  ASSERT_TRUE(first);
  gate.entered.get_future().wait();

  auto second = engine->StartConfig(ConfigRequest{"{}", ConfigKind::kSysconfigs});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::kBusy);
  EXPECT_NE(second.error().message.find("job " + std::to_string(first->id) + " (upgrade)"),
            std::string::npos);
  EXPECT_EQ(engine->GetStatus().state, "upgrading");

  gate.release.set_value();
  EXPECT_EQ(observer_.WaitRemoved().result, JobResult::kDone);
  EXPECT_TRUE(engine->StartConfig(ConfigRequest{"{}", ConfigKind::kSysconfigs}));
}

TEST_F(EngineTest, JobWithoutAnEngineEndsNotSupportedAndRecordsTheError) {
  auto engine = MakeEngine();
  ASSERT_TRUE(engine->StartRollback(RollbackRequest{}));
  const auto removed = observer_.WaitRemoved();
  EXPECT_EQ(removed.result, JobResult::kFailed);
  EXPECT_EQ(removed.error, Errc::kNotSupported);
  engine->WaitIdle();
  EXPECT_EQ(engine->GetStatus().last_error.rfind("org.openeuler.KubeOS1.Error.NotSupported: ", 0),
            0u);
  EXPECT_EQ(SavedState().last_error, engine->GetStatus().last_error);
}

TEST_F(EngineTest, CancelBeforeThePointOfNoReturnEndsTheJobCancelled) {
  Gate gate;
  JobHandlers h;
  h.upgrade = [&](const UpgradeRequest&, JobContext& ctx) -> Result<JobOutcome> {
    gate.entered.set_value();
    gate.released.wait();
    KUBEOS_TRY(ctx.CheckCancelled());
    return JobOutcome{};
  };
  auto engine = MakeEngine(std::move(h));
  auto job = engine->StartUpgrade(UpgradeRequest{});
  ASSERT_TRUE(job);
  gate.entered.get_future().wait();
  EXPECT_TRUE(engine->Cancel(job->id));
  gate.release.set_value();
  EXPECT_EQ(observer_.WaitRemoved().result, JobResult::kCancelled);
}

TEST_F(EngineTest, CancelPastThePointOfNoReturnIsRefused) {
  Gate gate;
  JobHandlers h;
  h.upgrade = [&](const UpgradeRequest&, JobContext& ctx) -> Result<JobOutcome> {
    KUBEOS_TRY(ctx.EnterPointOfNoReturn());
    gate.entered.set_value();
    gate.released.wait();
    return JobOutcome{};
  };
  auto engine = MakeEngine(std::move(h));
  auto job = engine->StartUpgrade(UpgradeRequest{});
  ASSERT_TRUE(job);
  gate.entered.get_future().wait();
  auto cancel = engine->Cancel(job->id);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, Errc::kNotCancellable);
  gate.release.set_value();
  EXPECT_EQ(observer_.WaitRemoved().result, JobResult::kDone);
}

TEST_F(EngineTest, CancelOfAnUnknownJobIsNoSuchJob) {
  auto engine = MakeEngine();
  auto cancel = engine->Cancel(42);
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, Errc::kNoSuchJob);
}

TEST_F(EngineTest, ProgressIsThrottledButTheFinalUpdateAlwaysArrives) {
  JobHandlers h;
  h.upgrade = [&](const UpgradeRequest&, JobContext& ctx) -> Result<JobOutcome> {
    for (uint64_t i = 1; i <= 100; ++i) ctx.SetProgress(i, 100);  // no time passes
    clock_.Advance(std::chrono::milliseconds(300));
    return JobOutcome{};
  };
  auto engine = MakeEngine(std::move(h));
  ASSERT_TRUE(engine->StartUpgrade(UpgradeRequest{}));
  observer_.WaitRemoved();
  const auto changes = observer_.Changes();
  ASSERT_FALSE(changes.empty());
  EXPECT_LE(changes.size(), 3u);
  EXPECT_EQ(changes.back().progress, 100u);
  EXPECT_EQ(changes.back().bytes_done, 100u);
}

TEST_F(EngineTest, ArmedTrialIsStampedWithTheBootIdAndShownAsPendingReboot) {
  JobHandlers h;
  h.upgrade = [](const UpgradeRequest&, JobContext& ctx) -> Result<JobOutcome> {
    KUBEOS_TRY(ctx.UpdateState([](NodeState& s) {
      s.pending = PendingBoot{JobType::kUpgrade, Slot::kB, Slot::kA, "KubeOS 2.0.0", "", ""};
    }));
    return JobOutcome{.message = "installed"};
  };
  auto engine = MakeEngine(std::move(h));
  ASSERT_TRUE(engine->StartUpgrade(UpgradeRequest{}));
  observer_.WaitRemoved();
  engine->WaitIdle();
  EXPECT_EQ(SavedState().pending->boot_id, "boot-1");
  const StatusReport s = engine->GetStatus();
  EXPECT_EQ(s.state, "pending-reboot");
  EXPECT_TRUE(s.pending_reboot);
  EXPECT_EQ(s.pending_slot, "B");
  EXPECT_EQ(s.pending_version, "KubeOS 2.0.0");
  ASSERT_FALSE(s.needs.empty());
  EXPECT_EQ(s.needs.front(), "reboot");
  EXPECT_EQ(power_.reboots, 0);
}

TEST_F(EngineTest, RequestedRebootHappensAfterTheJobIsReported) {
  JobHandlers h;
  h.upgrade = [](const UpgradeRequest&, JobContext&) -> Result<JobOutcome> {
    return JobOutcome{.message = "rebooting", .reboot_requested = true};
  };
  auto engine = MakeEngine(std::move(h));
  ASSERT_TRUE(engine->StartUpgrade(UpgradeRequest{}));
  EXPECT_EQ(observer_.WaitRemoved().result, JobResult::kDone);
  engine->WaitIdle();
  EXPECT_EQ(power_.reboots, 1);
}

TEST_F(EngineTest, FailedOutcomeThatAsksForARebootIsReportedFailedAndStillReboots) {
  JobHandlers h;
  h.upgrade = [](const UpgradeRequest&, JobContext&) -> Result<JobOutcome> {
    JobOutcome o{.message = "health check failed; rebooting into slot A", .reboot_requested = true};
    o.failure = Error{Errc::kHealthCheck, "kubelet.service not active"};
    return o;
  };
  auto engine = MakeEngine(std::move(h));
  ASSERT_TRUE(engine->StartUpgrade(UpgradeRequest{}));
  const auto removed = observer_.WaitRemoved();
  engine->WaitIdle();
  EXPECT_EQ(removed.result, JobResult::kFailed);
  EXPECT_EQ(removed.error, Errc::kHealthCheck);
  EXPECT_EQ(power_.reboots, 1);
  EXPECT_EQ(SavedState().last_error,
            "org.openeuler.KubeOS1.Error.HealthCheck: kubelet.service not active");
}

TEST_F(EngineTest, AfterARebootIntoTheTrialTheConfirmationJobRuns) {
  NodeState state;
  state.pending = PendingBoot{JobType::kUpgrade, Slot::kB, Slot::kA, "KubeOS 2.0.0", "", "boot-0"};
  dir_.Write("persist/kubeos/state.json", SerializeState(state));
  bool confirmed = false;
  JobHandlers h;
  h.confirm_boot = [&](JobContext& ctx) -> Result<JobOutcome> {
    confirmed = true;
    KUBEOS_TRY(ctx.UpdateState([](NodeState& s) { s.pending.reset(); }));
    return JobOutcome{.message = "committed slot B"};
  };
  auto engine = MakeEngine(std::move(h));
  const auto removed = observer_.WaitRemoved();
  engine->WaitIdle();
  EXPECT_TRUE(confirmed);
  EXPECT_EQ(removed.job.type, JobType::kUpgrade);
  EXPECT_EQ(removed.message, "committed slot B");
  EXPECT_FALSE(SavedState().pending.has_value());
}

TEST_F(EngineTest, DaemonRestartWithoutARebootKeepsTheTrialPending) {
  NodeState state;
  state.pending = PendingBoot{JobType::kUpgrade, Slot::kB, Slot::kA, "KubeOS 2.0.0", "", "boot-1"};
  dir_.Write("persist/kubeos/state.json", SerializeState(state));
  JobHandlers h;
  h.confirm_boot = [](JobContext&) -> Result<JobOutcome> {
    ADD_FAILURE() << "no reboot happened, nothing to confirm";
    return JobOutcome{};
  };
  auto engine = MakeEngine(std::move(h));
  EXPECT_EQ(engine->GetStatus().state, "pending-reboot");
  EXPECT_TRUE(observer_.started.empty());
}

TEST_F(EngineTest, TrialLeftByAnInterruptedJobIsDisarmed) {
  NodeState state;
  state.pending = PendingBoot{JobType::kUpgrade, Slot::kB, Slot::kA, "KubeOS 2.0.0", "", ""};
  dir_.Write("persist/kubeos/state.json", SerializeState(state));
  boot_.state.next_slot = Slot::kB;
  auto engine = MakeEngine();
  EXPECT_FALSE(boot_.state.next_slot.has_value());
  EXPECT_FALSE(SavedState().pending.has_value());
  EXPECT_NE(engine->GetStatus().last_error.find("interrupted"), std::string::npos);
}

TEST_F(EngineTest, NeedsRecordedInOneBootAreClearedByTheNextBoot) {
  NodeState state;
  state.needs = {"reboot", "restart kubelet"};
  state.needs_boot_id = "boot-0";
  dir_.Write("persist/kubeos/state.json", SerializeState(state));
  auto engine = MakeEngine();
  EXPECT_TRUE(engine->GetStatus().needs.empty());
}

TEST_F(EngineTest, StatusReportsSlotsVersionsAndBootChoice) {
  boot_.state = BootState{Slot::kA, Slot::kB};
  auto engine = MakeEngine();
  const StatusReport s = engine->GetStatus();
  EXPECT_EQ(s.booted_slot, "A");
  EXPECT_EQ(s.booted_version, "KubeOS 1.0.0");
  EXPECT_EQ(s.other_slot, "B");
  EXPECT_EQ(s.other_version, "KubeOS 0.9.0");
  EXPECT_TRUE(s.other_valid);
  EXPECT_EQ(s.default_slot, "A");
  EXPECT_EQ(s.next_boot_slot, "B");
  EXPECT_EQ(s.state, "idle");
  EXPECT_EQ(s.booted_device, "/dev/vda2");
  EXPECT_EQ(s.other_device, "/dev/vda3");
}

TEST_F(EngineTest, OtherSlotMarkedBadOrBeingWrittenIsNotValid) {
  NodeState state;
  state.slot_b.health = SlotHealth::kInstalling;
  dir_.Write("persist/kubeos/state.json", SerializeState(state));
  auto engine = MakeEngine();
  EXPECT_FALSE(engine->GetStatus().other_valid);
}

TEST_F(EngineTest, UnknownDiskLayoutIsReportedNotFatal) {
  blocks_.discover_error = Error{Errc::kNoStandbySlot, "no ROOT-A/ROOT-B partition pair"};
  auto engine = MakeEngine();
  const StatusReport s = engine->GetStatus();
  EXPECT_EQ(s.booted_slot, "");
  EXPECT_NE(s.last_error.find("no ROOT-A/ROOT-B"), std::string::npos);
}

}  // namespace
}  // namespace kubeos::core
