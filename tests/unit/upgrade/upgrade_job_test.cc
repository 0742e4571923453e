// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/upgrade_job.h"

#include <gtest/gtest.h>

#include <cstring>

#include "base/log.h"
#include "unit/upgrade/upgrade_test_env.h"

namespace kubeos::core::upgrade {
namespace {

using fakes::FakeDigest;
using testing::UpgradeWorld;

std::string RawImage(size_t size = 10000) {
  std::string s(size, 'd');
  std::memset(s.data(), 0, 2048);
  s[1080] = '\x53';
  s[1081] = '\xEF';
  return s;
}

std::string TarImage() {
  std::string s(8192, '\0');
  std::memcpy(s.data() + 257, "ustar", 5);
  std::memcpy(s.data(), "./etc/os-release", 16);
  s.append(4096, 'p');  // what follows the end marker still counts for the checksum
  return s;
}

constexpr const char* kUrl = "https://repo.example/update.img";

UpgradeRequest Request(const std::string& body) {
  UpgradeRequest r;
  r.version = "KubeOS 1.0.2";
  r.image_url = kUrl;
  r.checksum = FakeDigest(body);
  r.ca_cert = "ca.pem";
  return r;
}

class LogCapture {
 public:
  LogCapture() {
    log::SetCaptureForTesting([this](const log::Record& r) { records.push_back(r); });
  }
  ~LogCapture() { log::SetCaptureForTesting({}); }
  bool Has(std::string_view message_id) const {
    for (const auto& r : records) {
      if (r.message_id == message_id) return true;
    }
    return false;
  }
  std::vector<log::Record> records;
};

class UpgradeJobTest : public ::testing::Test {
 protected:
  UpgradeWorld w;
  LogCapture logs;
};

void ExpectNothingTouched(UpgradeWorld& world) {
  EXPECT_EQ(world.installer.writes, 0);
  EXPECT_EQ(world.installer.invalidations, 0);
  EXPECT_EQ(world.installer.devices["/dev/vda2"], "booted root");
  EXPECT_EQ(world.installer.devices["/dev/vda3"], "old standby");
  EXPECT_EQ(world.boot.writes, 0);
  EXPECT_EQ(world.ctx.state.slot_b.health, SlotHealth::kUnknown);
  EXPECT_FALSE(world.ctx.state.pending.has_value());
}

TEST_F(UpgradeJobTest, RawImageIsWrittenVerifiedAndArmedForATrialBoot) {
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  const auto outcome = RunUpgrade(w.deps, Request(body), w.ctx);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;

  EXPECT_EQ(w.installer.devices["/dev/vda3"], body);
  EXPECT_EQ(w.installer.devices["/dev/vda2"], "booted root");
  EXPECT_GE(w.installer.invalidations, 1);
  EXPECT_EQ(w.boot.state.next_slot, Slot::kB);
  EXPECT_EQ(w.boot.state.default_slot, Slot::kA);
  ASSERT_TRUE(w.ctx.state.pending.has_value());
  EXPECT_EQ(w.ctx.state.pending->target, Slot::kB);
  EXPECT_EQ(w.ctx.state.pending->previous, Slot::kA);
  EXPECT_EQ(w.ctx.state.pending->version, "KubeOS 1.0.2");
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kInstalled);
  EXPECT_EQ(w.ctx.state.slot_b.version, "KubeOS 1.0.2");
  EXPECT_TRUE(outcome->reboot_requested);
  EXPECT_TRUE(w.ctx.past_point_of_no_return);
  EXPECT_EQ(w.ctx.last_done, body.size());
  EXPECT_EQ(w.fetcher.opened.at(0).ca_file, "/etc/KubeOS/certs/ca.pem");
}

TEST_F(UpgradeJobTest, WithoutRebootTheOutcomeSaysPendingReboot) {
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  UpgradeRequest r = Request(body);
  r.reboot = false;
  const auto outcome = RunUpgrade(w.deps, r, w.ctx);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_FALSE(outcome->reboot_requested);
  EXPECT_NE(outcome->message.find("pending reboot"), std::string::npos);
  EXPECT_EQ(outcome->needs, std::vector<std::string>{"reboot"});
}

TEST_F(UpgradeJobTest, TarIsExtractedWithTheSlotLabelAndTheWholeStreamIsHashed) {
  const std::string body = TarImage();
  w.fetcher.bodies[kUrl] = body;
  UpgradeRequest r = Request(body);
  r.checksum = FakeDigest(body);
  for (char& c : r.checksum) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto outcome = RunUpgrade(w.deps, r, w.ctx);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(w.installer.last_label, "ROOT-B");
  EXPECT_EQ(w.boot.state.next_slot, Slot::kB);
}

struct Refusal {
  const char* name;
  std::function<void(UpgradeWorld&, UpgradeRequest&)> setup;
  Errc code;
};

TEST_F(UpgradeJobTest, RefusalsHappenBeforeAnythingIsWritten) {
  const Refusal cases[] = {
      {"http without flag-safe", [](auto&, auto& r) { r.image_url = "http://repo/u.img"; },
       Errc::kUnsafeUrl},
      {"ftp",
       [](auto&, auto& r) {
         r.image_url = "ftp://repo/u.img";
         r.flag_safe = true;
       },
       Errc::kUnsafeUrl},
      {"file",
       [](auto&, auto& r) {
         r.image_url = "file:///u.img";
         r.flag_safe = true;
       },
       Errc::kUnsafeUrl},
      {"escaping ca name", [](auto&, auto& r) { r.ca_cert = "../../ssl/ca.pem"; },
       Errc::kInvalidArgs},
      {"missing ca file", [](auto&, auto& r) { r.ca_cert = "nope.pem"; }, Errc::kInvalidArgs},
      {"group-readable key",
       [](auto& world, auto& r) {
         r.mtls = true;
         r.client_cert = "client.pem";
         r.client_key = "client.key";
         world.fs.Put("/etc/KubeOS/certs/client.key", "KEY", 0640);
       },
       Errc::kInvalidArgs},
      {"pre-config without config engine", [](auto&, auto& r) { r.pre_config = "{}"; },
       Errc::kNotSupported},
      {"post-config without config engine", [](auto&, auto& r) { r.post_config = "{}"; },
       Errc::kNotSupported},
      {"container image type without a runtime",
       [](auto&, auto& r) {
         r.image_type = ImageType::kDocker;
         r.container_image = "kubeos/os:v1";
       },
       Errc::kNotSupported},
      {"malformed checksum", [](auto&, auto& r) { r.checksum = "abc"; }, Errc::kInvalidArgs},
      {"not an image",
       [](auto& world, auto&) { world.fetcher.bodies[kUrl] = "<html>not found</html>"; },
       Errc::kInvalidImage},
      {"tls failure",
       [](auto& world, auto&) {
         world.fetcher.open_error = Error{Errc::kDownloadFailed, "bad CA"};
       },
       Errc::kDownloadFailed},
      {"standby is the booted device",
       [](auto& world, auto&) { world.installer.report_same_device = true; }, Errc::kFailed},
      {"image larger than the slot", [](auto& world, auto&) { world.installer.capacity = 100; },
       Errc::kNoSpace},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto world = std::make_unique<UpgradeWorld>();
    const std::string body = RawImage();
    world->fetcher.bodies[kUrl] = body;
    UpgradeRequest r = Request(body);
    c.setup(*world, r);
    const auto outcome = RunUpgrade(world->deps, r, world->ctx);
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, c.code) << outcome.error().message;
    ExpectNothingTouched(*world);
    EXPECT_FALSE(world->ctx.past_point_of_no_return);
  }
}

TEST_F(UpgradeJobTest, UnsafeUrlIsLoggedAsUnsafe) {
  UpgradeRequest r = Request(RawImage());
  r.image_url = "http://repo/u.img";
  ASSERT_FALSE(RunUpgrade(w.deps, r, w.ctx).has_value());
  EXPECT_TRUE(logs.Has(log::kMsgUnsafeUrl));
  EXPECT_TRUE(w.fetcher.opened.empty());
}

TEST_F(UpgradeJobTest, ChecksumMismatchMarksTheSlotBadAndNeverSwitchesBoot) {
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  UpgradeRequest r = Request(body);
  r.checksum = std::string(64, '0');
  const auto outcome = RunUpgrade(w.deps, r, w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kChecksumMismatch);
  EXPECT_NE(outcome.error().message.find("expected " + std::string(64, '0')), std::string::npos);
  EXPECT_NE(outcome.error().message.find("actual " + FakeDigest(body)), std::string::npos);
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kBad);
  EXPECT_EQ(w.installer.devices["/dev/vda3"], "");  // invalidated again
  EXPECT_EQ(w.installer.devices["/dev/vda2"], "booted root");
  EXPECT_EQ(w.boot.writes, 0);
  EXPECT_FALSE(w.ctx.state.pending.has_value());
}

TEST_F(UpgradeJobTest, ReadBackDifferenceMarksTheSlotBad) {
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  w.installer.corrupt_on_disk = true;
  const auto outcome = RunUpgrade(w.deps, Request(body), w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kIo);
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kBad);
  EXPECT_EQ(w.boot.writes, 0);
}

TEST_F(UpgradeJobTest, CancelDuringTheCopyLeavesTheSlotInvalidAndBootUnchanged) {
  const std::string body = RawImage(50000);
  w.fetcher.bodies[kUrl] = body;
  w.fetcher.on_read = [this](uint64_t done) {
    if (done >= 20000) w.ctx.cancelled = true;
  };
  const auto outcome = RunUpgrade(w.deps, Request(body), w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kCancelled);
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kInstalling);
  EXPECT_EQ(w.installer.devices["/dev/vda3"], "");
  EXPECT_EQ(w.boot.writes, 0);
  EXPECT_FALSE(w.ctx.past_point_of_no_return);
}

TEST_F(UpgradeJobTest, AWriteFailureLeavesTheSlotInvalid) {
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  w.installer.write_error = Error{Errc::kNoSpace, "disk full"};
  const auto outcome = RunUpgrade(w.deps, Request(body), w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kNoSpace);
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kInstalling);
  EXPECT_EQ(w.boot.writes, 0);
}

TEST_F(UpgradeJobTest, NeverWritesTheBootedSlotEvenWhenNamesDiffer) {
  w.blocks.layout.b.device = "/dev/vda2";
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  ASSERT_FALSE(RunUpgrade(w.deps, Request(body), w.ctx).has_value());
  ExpectNothingTouched(w);
}

TEST_F(UpgradeJobTest, AFailedArmClearsThePendingRecord) {
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  w.boot.arm_error = Error{Errc::kIo, "grubenv: read-only"};
  const auto outcome = RunUpgrade(w.deps, Request(body), w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kBootloader);
  EXPECT_FALSE(w.ctx.state.pending.has_value());
  EXPECT_FALSE(w.boot.state.next_slot.has_value());
}

TEST_F(UpgradeJobTest, AnUnbootedEarlierTrialIsDisarmedBeforeTheSlotIsOverwritten) {
  w.boot.state.next_slot = Slot::kB;
  w.ctx.state.pending = PendingBoot{JobType::kUpgrade, Slot::kB, Slot::kA, "old", "", ""};
  w.fetcher.open_error = Error{Errc::kDownloadFailed, "connection refused"};
  ASSERT_FALSE(RunUpgrade(w.deps, Request(RawImage()), w.ctx).has_value());
  EXPECT_FALSE(w.boot.state.next_slot.has_value());
  EXPECT_FALSE(w.ctx.state.pending.has_value());
}

TEST_F(UpgradeJobTest, PreConfigIsAppliedBeforeWritingWhenAConfigEngineExists) {
  std::vector<ConfigRequest> applied;
  w.deps.apply_config = [&](const ConfigRequest& c, JobContext&) -> Result<JobOutcome> {
    applied.push_back(c);
    EXPECT_EQ(w.installer.writes, 0);
    return JobOutcome{};
  };
  const std::string body = RawImage();
  w.fetcher.bodies[kUrl] = body;
  UpgradeRequest r = Request(body);
  r.pre_config = R"({"version":"1"})";
  r.post_config = R"({"version":"2"})";
  ASSERT_TRUE(RunUpgrade(w.deps, r, w.ctx).has_value());
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].kind, ConfigKind::kUpgradeconfigs);
  EXPECT_EQ(w.ctx.state.pending->post_config, R"({"version":"2"})");
}

// ---- after the reboot ------------------------------------------------------------------------

class ConfirmBootTest : public UpgradeJobTest {
 protected:
  void SetUp() override {
    w.ctx.state.pending =
        PendingBoot{JobType::kUpgrade, Slot::kB, Slot::kA, "KubeOS 1.0.2", "", "boot-1"};
    w.ctx.state.slot_b = {SlotHealth::kInstalled, "KubeOS 1.0.2"};
    w.blocks.layout.b.fs_type = "ext4";
    w.boot.state = {Slot::kA, std::nullopt};  // GRUB consumed next_entry
  }
};

TEST_F(ConfirmBootTest, BootedTargetAndHealthyIsCommitted) {
  w.blocks.layout.booted = Slot::kB;
  const auto outcome = ConfirmBoot(w.deps, w.ctx);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(w.boot.state.default_slot, Slot::kB);
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kGood);
  EXPECT_FALSE(w.ctx.state.pending.has_value());
  EXPECT_FALSE(outcome->reboot_requested);
  EXPECT_EQ(w.health.asked, std::vector<std::string>{"kubelet.service"});
  EXPECT_TRUE(logs.Has(log::kMsgBootCommitted));
}

TEST_F(ConfirmBootTest, BootedTargetButUnhealthyIsMarkedBadAndReverted) {
  w.blocks.layout.booted = Slot::kB;
  w.health.failure = Error{Errc::kHealthCheck, "kubelet.service not active"};
  const auto outcome = ConfirmBoot(w.deps, w.ctx);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_TRUE(outcome->reboot_requested);     // back to the old slot
  ASSERT_TRUE(outcome->failure.has_value());  // and reported as a failed trial
  EXPECT_EQ(outcome->failure->code, Errc::kHealthCheck);
  EXPECT_EQ(w.boot.state.default_slot, Slot::kA);
  EXPECT_FALSE(w.boot.state.next_slot.has_value());
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kBad);
  EXPECT_FALSE(w.ctx.state.pending.has_value());
  EXPECT_NE(w.ctx.state.last_error.find("HealthCheck"), std::string::npos);
  EXPECT_TRUE(logs.Has(log::kMsgTrialFailed));
}

TEST_F(ConfirmBootTest, UnhealthyTargetThatWasCommittedAlreadyIsUncommitted) {
  // A crash between Commit and the state update, then a failing re-check.
  w.blocks.layout.booted = Slot::kB;
  w.boot.state.default_slot = Slot::kB;
  w.health.failure = Error{Errc::kHealthCheck, "kubelet.service not active"};
  ASSERT_TRUE(ConfirmBoot(w.deps, w.ctx).has_value());
  EXPECT_EQ(w.boot.state.default_slot, Slot::kA);
}

TEST_F(ConfirmBootTest, AnInterruptedHealthCheckIsNoVerdict) {
  w.blocks.layout.booted = Slot::kB;
  w.health.failure = Error{Errc::kCancelled, "shutting down"};
  const auto outcome = ConfirmBoot(w.deps, w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kCancelled);
  EXPECT_TRUE(w.ctx.state.pending.has_value());
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kInstalled);
  EXPECT_EQ(w.boot.writes, 0);
}

TEST_F(ConfirmBootTest, BootedOldSlotWhilePendingIsAFailedTrial) {
  w.blocks.layout.booted = Slot::kA;
  const auto outcome = ConfirmBoot(w.deps, w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kBootloader);
  EXPECT_NE(outcome.error().message.find("did not boot"), std::string::npos);
  EXPECT_EQ(w.health.calls, 0);
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kBad);
  EXPECT_EQ(w.boot.state.default_slot, Slot::kA);
  EXPECT_FALSE(w.ctx.state.pending.has_value());
  EXPECT_TRUE(logs.Has(log::kMsgTrialFailed));
}

TEST_F(ConfirmBootTest, PostConfigIsAppliedOnlyAfterTheCommit) {
  w.blocks.layout.booted = Slot::kB;
  w.ctx.state.pending->post_config = R"({"version":"s1"})";
  std::vector<ConfigRequest> applied;
  w.deps.apply_config = [&](const ConfigRequest& c, JobContext&) -> Result<JobOutcome> {
    EXPECT_EQ(w.boot.state.default_slot, Slot::kB);
    applied.push_back(c);
    return JobOutcome{};
  };
  ASSERT_TRUE(ConfirmBoot(w.deps, w.ctx).has_value());
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].kind, ConfigKind::kSysconfigs);
  EXPECT_EQ(applied[0].config_json, R"({"version":"s1"})");
}

// ---- rollback -----------------------------------------------------------------------------------

class RollbackTest : public UpgradeJobTest {
 protected:
  void SetUp() override { w.blocks.layout.b.fs_type = "ext4"; }
};

TEST_F(RollbackTest, TrialBootsTheOtherSlotWhenItWasGood) {
  w.ctx.state.slot_b = {SlotHealth::kGood, "KubeOS 1.0.1"};
  RollbackRequest r;
  r.version = "KubeOS 1.0.1";
  const auto outcome = RunRollback(w.deps, r, w.ctx);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(w.boot.state.next_slot, Slot::kB);
  EXPECT_EQ(w.boot.state.default_slot, Slot::kA);
  ASSERT_TRUE(w.ctx.state.pending.has_value());
  EXPECT_EQ(w.ctx.state.pending->type, JobType::kRollback);
  EXPECT_EQ(w.ctx.state.pending->version, "KubeOS 1.0.1");
  EXPECT_TRUE(outcome->reboot_requested);
  EXPECT_EQ(w.installer.writes, 0);
}

TEST_F(RollbackTest, RefusesASlotWithoutAPreviouslyGoodImage) {
  for (const SlotHealth h : {SlotHealth::kBad, SlotHealth::kInstalling, SlotHealth::kInstalled}) {
    w.ctx.state.slot_b = {h, "KubeOS 1.0.1"};
    const auto outcome = RunRollback(w.deps, RollbackRequest{}, w.ctx);
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, Errc::kNoStandbySlot);
  }
  w.ctx.state.slot_b = {SlotHealth::kUnknown, ""};
  w.blocks.layout.b.fs_type = "";
  EXPECT_EQ(RunRollback(w.deps, RollbackRequest{}, w.ctx).error().code, Errc::kNoStandbySlot);
  EXPECT_EQ(w.boot.writes, 0);
}

TEST_F(RollbackTest, ChecksTheRequestedVersionAgainstTheFactoryImagesOsRelease) {
  w.blocks.os_release[Slot::kB] = "NAME=KubeOS\nPRETTY_NAME=\"KubeOS 1.0.0\"\n";
  RollbackRequest r;
  r.version = "KubeOS 9.9";
  const auto refused = RunRollback(w.deps, r, w.ctx);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::kNoStandbySlot);
  EXPECT_NE(refused.error().message.find("KubeOS 1.0.0"), std::string::npos);
  EXPECT_EQ(w.boot.writes, 0);

  r.version = "KubeOS 1.0.0";
  ASSERT_TRUE(RunRollback(w.deps, r, w.ctx).has_value());
  EXPECT_EQ(w.ctx.state.pending->version, "KubeOS 1.0.0");
}

TEST_F(RollbackTest, RefusesConfigsWithoutAConfigEngine) {
  w.ctx.state.slot_b = {SlotHealth::kGood, "v1"};
  RollbackRequest r;
  r.post_config = "{}";
  EXPECT_EQ(RunRollback(w.deps, r, w.ctx).error().code, Errc::kNotSupported);
  EXPECT_EQ(w.boot.writes, 0);
}

}  // namespace
}  // namespace kubeos::core::upgrade
