// SPDX-License-Identifier: MulanPSL-2.0
// Issue 4, fault injection: a raw-image Upgrade over real HTTPS with mTLS,
// served by the real kubeosd on the sandbox's A/B loop disk, with the daemon SIGKILLed at each
// of its stages in turn (state file writes, invalidating the standby slot, before / in the
// middle of / after the block copy, the read-back, the GRUB environment writes). After each
// kill the booted slot is untouched, the GRUB environment still boots it (or, armed, a fully
// written and verified standby), the standby is never marked valid unless fully written; a
// restarted production kubeosd serves, keeps that true, and the next upgrade succeeds.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crash/crash_harness.h"
#include "disk/disk_fixture.h"
#include "disk/tls_server.h"
#include "support/temp_dir.h"

namespace kubeos::testing {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kImageMiB = 6;
const char* kVersion = "KubeOS 2.0.0";

std::map<std::string, std::string> GrubEnv(const std::string& file) {
  std::map<std::string, std::string> env;
  std::istringstream in(MustRun({"grub-editenv", file, "list"}));
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

class UpgradeCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StopSandboxDaemon();
    root_ = SandboxRoot();
    standby_ = std::string(std::getenv("KUBEOS_SANDBOX_DISK")) + "p3";
    booted_ = std::string(std::getenv("KUBEOS_SANDBOX_DISK")) + "p2";
    grubenv_ = root_ + "/boot/efi/EFI/openEuler/grubenv";
    state_file_ = root_ + "/persist/kubeos/state.json";

    MakeTestPki(work_.path() / "pki");
    const fs::path certs = fs::path(root_) / "etc/KubeOS/certs";
    for (const char* name : {"ca.pem", "client.pem"}) {
      WriteFile(certs / name, ReadFile(work_.path() / "pki" / name), 0644);
    }
    WriteFile(certs / "client.key", ReadFile(work_.path() / "pki/client.key"), 0600);
    server_ = std::make_unique<TlsServer>(TlsServer::Options{
        (work_.path() / "pki/server.pem").string(), (work_.path() / "pki/server.key").string(),
        (work_.path() / "pki/ca.pem").string()});

    const fs::path tree = work_.path() / "image-root";
    WriteFile(tree / "etc/os-release", "PRETTY_NAME=\"KubeOS 2.0.0\"\nVERSION=\"2.0.0\"\n");
    WriteFile(tree / "usr/bin/tool", std::string(1500000, 't'), 0755);
    const fs::path img = work_.path() / "update.img";
    MustRun({"truncate", "-s", std::to_string(kImageMiB) + "M", img.string()});
    MustRun({"mkfs.ext4", "-q", "-F", "-L", "ROOT-B", "-d", tree.string(), img.string()});
    image_sha_ = Sha256Of(img);
    server_->Serve("/update.img", ReadFile(img));
    const fs::path tar = work_.path() / "rootfs.tar";
    MustRun({"tar", "-C", tree.string(), "-cf", tar.string(), "."});
    tar_sha_ = Sha256Of(tar);
    server_->Serve("/rootfs.tar", ReadFile(tar));
    tree_ = tree.string();

    standby_snapshot_ = (work_.path() / "standby.img").string();
    MustRun({"dd", "if=" + standby_, "of=" + standby_snapshot_, "bs=1M", "status=none"});
    grubenv_before_ = ReadBytes(grubenv_);
    state_before_ = fs::exists(state_file_) ? std::optional(ReadBytes(state_file_)) : std::nullopt;
    os_release_before_ = ReadBytes(root_ + "/usr/lib/os-release");
  }

  // A killed daemon may leave a slot mounted below --root's /run/kubeos (see the tar test).
  void TearDown() override {
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::vector<std::string> stale;
    for (std::string line; std::getline(mountinfo, line);) {
      std::istringstream fields(line);
      std::string id, parent, devno, source, target;
      fields >> id >> parent >> devno >> source >> target;
      if (target.rfind(root_ + "/run/kubeos/", 0) == 0) stale.push_back(target);
    }
    for (const auto& target : stale) ::umount2(target.c_str(), MNT_DETACH);
  }

  // The node as it was before any upgrade: slot B, the GRUB environment, the state file.
  void RestoreNode() {
    MustRun(
        {"dd", "if=" + standby_snapshot_, "of=" + standby_, "bs=1M", "conv=fsync", "status=none"});
    WriteBytes(grubenv_, grubenv_before_, 0644);
    if (state_before_) {
      WriteBytes(state_file_, *state_before_, 0644);
    } else {
      fs::remove(state_file_);
    }
  }

  // Raw image: the slot starts with the image, byte for byte. Tar: the slot holds an ext4
  // ROOT-B with every file of the archive.
  bool StandbyFullyWritten() {
    if (!tar_) return Sha256Of(standby_, kImageMiB << 20) == image_sha_;
    if (RunStatus({"e2fsck", "-fn", standby_}) != 0) return false;
    const fs::path dir = work_.path() / "standby-mnt";
    try {
      ScopedMount mount(standby_, dir, true);
      return ReadFile(dir / "etc/os-release") == ReadFile(fs::path(tree_) / "etc/os-release") &&
             ReadFile(dir / "usr/bin/tool") == ReadFile(fs::path(tree_) / "usr/bin/tool");
    } catch (const std::exception&) {
      return false;
    }
  }

  JobEnd Upgrade(Daemon& daemon) {
    Client client;
    const VariantMap options{
        {"version", sdbus::Variant(std::string(kVersion))},
        {"image-type", sdbus::Variant(std::string("disk"))},
        {"image-url", sdbus::Variant(server_->Url(tar_ ? "/rootfs.tar" : "/update.img"))},
        {"checksum", sdbus::Variant(tar_ ? tar_sha_ : image_sha_)},
        {"mtls", sdbus::Variant(true)},
        {"ca-cert", sdbus::Variant(std::string("ca.pem"))},
        {"client-cert", sdbus::Variant(std::string("client.pem"))},
        {"client-key", sdbus::Variant(std::string("client.key"))},
        {"reboot", sdbus::Variant(false)}};
    std::string error;
    const auto job = client.Start(
        "Upgrade", [&](sdbus::MethodCall& call) { call << options; }, &error);
    if (!job) {
      if (!LostThePeer(error)) return JobEnd{false, "refused", error, ""};
      daemon.Wait();  // killed while answering
      return JobEnd{true, "", "", ""};
    }
    return client.WaitJob(*job, daemon);
  }

  // What must hold whatever moment the daemon died at: the booted slot untouched and still what
  // boots by default; a one-shot boot of B or a B marked valid only once B is complete.
  void ExpectBootIntact(const std::string& when) {
    SCOPED_TRACE(when);
    EXPECT_EQ(ReadBytes(root_ + "/usr/lib/os-release"), os_release_before_);
    EXPECT_EQ(fs::file_size(grubenv_), 1024u);
    const auto env = GrubEnv(grubenv_);
    EXPECT_EQ(env.count("saved_entry") ? env.at("saved_entry") : "", "A");
    if (env.count("next_entry") > 0) {
      EXPECT_EQ(env.at("next_entry"), "B");
      EXPECT_TRUE(StandbyFullyWritten()) << "a trial boot is armed into an incomplete slot";
    }
    if (fs::exists(state_file_)) {
      const auto state = nlohmann::json::parse(ReadBytes(state_file_), nullptr, false);
      ASSERT_FALSE(state.is_discarded()) << "state file is not JSON";
      const std::string health = state["slots"]["B"].value("health", "");
      if (health == "installed" || health == "good") {
        EXPECT_TRUE(StandbyFullyWritten()) << "slot B marked " << health << " but incomplete";
      }
      EXPECT_NE(state["slots"]["A"].value("health", ""), "bad");
    }
  }

  void ExpectUpgraded(const JobEnd& end) {
    ASSERT_FALSE(end.daemon_died);
    ASSERT_EQ(end.result, "done") << end.error << ": " << end.message;
    EXPECT_TRUE(StandbyFullyWritten());
    const auto env = GrubEnv(grubenv_);
    EXPECT_EQ(env.count("saved_entry") ? env.at("saved_entry") : "", "A");
    EXPECT_EQ(env.count("next_entry") ? env.at("next_entry") : "", "B");
    const auto state = nlohmann::json::parse(ReadBytes(state_file_));
    EXPECT_EQ(state["pending"].value("target", ""), "B");
    EXPECT_EQ(state["pending"].value("version", ""), kVersion);
    EXPECT_EQ(state["slots"]["B"].value("health", ""), "installed");
  }

  void KillAtEveryStep(std::vector<std::string>& killed_at);

  TempDir work_;
  std::unique_ptr<TlsServer> server_;
  std::string root_, standby_, booted_, grubenv_, state_file_;
  bool tar_ = false;  // the image is a root filesystem tar, not a raw image
  std::string tree_, tar_sha_;
  std::string image_sha_, standby_snapshot_, grubenv_before_, os_release_before_;
  std::optional<std::string> state_before_;
};

// Kills kubeosd at step 1, 2, … of the upgrade until it runs to its end; |killed_at| gets
// the steps killed at.
void UpgradeCrashTest::KillAtEveryStep(std::vector<std::string>& killed_at) {
  const std::string step_log = SandboxDir() + "/crash-steps.log";
  bool completed = false;
  for (unsigned n = 1; n <= 200 && !completed; ++n) {
    SCOPED_TRACE("kill at step " + std::to_string(n));
    RestoreNode();
    fs::remove(step_log);
    {
      Daemon crashing(n, step_log);
      if (crashing.WaitReady()) {
        const JobEnd end = Upgrade(crashing);
        if (!end.daemon_died) {
          ExpectUpgraded(end);  // past the last step: nothing interrupted it
          completed = true;
          continue;
        }
      }
      crashing.Wait();
      ASSERT_TRUE(crashing.KilledBySigkill()) << "the daemon ended otherwise than by the kill";
    }
    const auto steps = ReadSteps(step_log);
    ASSERT_EQ(steps.size(), n);
    killed_at.push_back(steps.back());
    SCOPED_TRACE("step: " + steps.back());
    for (const auto& step : steps) {
      EXPECT_EQ(step.find(booted_), std::string::npos) << "kubeosd wrote the booted slot: " << step;
    }
    ExpectBootIntact("right after the kill");

    Daemon restarted(0, "");
    ASSERT_TRUE(restarted.WaitReady()) << "kubeosd does not start after the kill";
    {
      Client client;
      const VariantMap status = client.Status();
      EXPECT_EQ(status.at("booted-slot").get<std::string>(), "A");
      EXPECT_EQ(status.at("default-slot").get<std::string>(), "A");
    }
    ExpectBootIntact("after kubeosd restarted");
    ExpectUpgraded(Upgrade(restarted));
  }
  EXPECT_TRUE(completed) << "the upgrade never completed under the crashpoint daemon";
  std::string all;
  for (const auto& s : killed_at) all += "  " + s + "\n";
  std::printf("killed kubeosd at %zu steps, in order:\n%s", killed_at.size(), all.c_str());
}

bool Has(const std::vector<std::string>& steps, const std::string& step) {
  return std::find(steps.begin(), steps.end(), step) != steps.end();
}

TEST_F(UpgradeCrashTest,
       RawImageKilledAtEveryStageBootIsIntactAndTheNextUpgradeSucceeds_R4_1_R4_10) {
  std::vector<std::string> killed_at;
  KillAtEveryStep(killed_at);
  if (HasFatalFailure()) return;
  const auto killed = [&](const std::string& step) {
    return std::find(killed_at.begin(), killed_at.end(), step) != killed_at.end();
  };
  for (const char* stage : {"invalidate ", "raw-write ", "read-back "}) {
    EXPECT_TRUE(killed(std::string("before ") + stage + standby_)) << stage;
    EXPECT_TRUE(killed(std::string("after ") + stage + standby_)) << stage;
  }
  EXPECT_TRUE(killed("mid raw-write " + standby_));
  EXPECT_TRUE(killed("before write-in-place /boot/efi/EFI/openEuler/grubenv"));
  EXPECT_TRUE(killed("torn write /persist/kubeos/state.json"));
}

// A kill during the tar extraction leaves the standby slot mounted below /run/kubeos/mnt (the
// mount outlives the process when kubeosd shares its mount namespace, as in the sandbox); the next
// install must detach it rather than fail with EBUSY.
TEST_F(UpgradeCrashTest,
       TarImageKilledAtEveryStageBootIsIntactAndTheNextUpgradeSucceeds_R4_1_R4_3) {
  tar_ = true;
  std::vector<std::string> killed_at;
  KillAtEveryStep(killed_at);
  if (HasFatalFailure()) return;
  for (const char* step :
       {"before invalidate ", "before tar-extract ", "mid tar-extract ", "after tar-extract "}) {
    EXPECT_TRUE(Has(killed_at, step + standby_)) << step;
  }
  EXPECT_TRUE(Has(killed_at, "before write-in-place /boot/efi/EFI/openEuler/grubenv"));
}

}  // namespace
}  // namespace kubeos::testing
