// SPDX-License-Identifier: MulanPSL-2.0
// The upgrade jobs with every real platform implementation: a GPT A/B disk on a loop device, real
// ext4, a real GRUB environment file, libcurl against a real HTTPS server with a test CA and
// client certificate. Each refusal must leave the booted slot and the GRUB environment
// byte-identical and the standby slot without a valid filesystem.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include "core/state.h"
#include "core/upgrade/upgrade_job.h"
#include "disk/disk_fixture.h"
#include "disk/job_context.h"
#include "disk/tls_server.h"
#include "fakes/fake_health_checker.h"
#include "platform/blkid_block_devices.h"
#include "platform/block_image_installer.h"
#include "platform/curl_fetcher.h"
#include "platform/grubenv_bootloader.h"
#include "platform/openssl_sha256.h"
#include "platform/posix_command_runner.h"
#include "platform/posix_file_system.h"
#include "support/temp_dir.h"

namespace kubeos::testing {
namespace {

namespace fs = std::filesystem;
using core::Slot;
using core::SlotHealth;

constexpr uint64_t kSlotMiB = 32;
constexpr const char* kGrubenv = "/boot/efi/EFI/BOOT/grubenv";

class UpgradeDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeTestPki(work_.path() / "pki");
    const fs::path certs = root_.path() / "etc/KubeOS/certs";
    for (const char* name : {"ca.pem", "client.pem", "wrong-ca.pem"}) {
      WriteFile(certs / name, ReadFile(work_.path() / "pki" / name), 0644);
    }
    WriteFile(certs / "client.key", ReadFile(work_.path() / "pki/client.key"), 0600);
    WriteFile(certs / "loose.key", ReadFile(work_.path() / "pki/client.key"), 0640);

    const fs::path grubenv = root_.path() / fs::path(kGrubenv).relative_path();
    fs::create_directories(grubenv.parent_path());
    MustRun({"grub-editenv", grubenv.string(), "create"});
    MustRun({"grub-editenv", grubenv.string(), "set", "saved_entry=A"});

    disk_ = std::make_unique<LoopDisk>(work_.path() / "disk.img", kSlotMiB);
    const fs::path a_root = work_.path() / "a-root";
    WriteFile(a_root / "etc/os-release", "PRETTY_NAME=\"KubeOS 1.0.0\"\n");
    MustRun({"mkfs.ext4", "-q", "-F", "-L", "ROOT-A", "-d", a_root.string(), disk_->Partition(2)});

    server_ = std::make_unique<TlsServer>(TlsServer::Options{
        (work_.path() / "pki/server.pem").string(), (work_.path() / "pki/server.key").string(),
        (work_.path() / "pki/ca.pem").string()});

    files_ = std::make_unique<platform::PosixFileSystem>(root_.path().string());
    blocks_ = std::make_unique<platform::BlkidBlockDevices>(platform::BlockDeviceOptions{
        root_.path().string(), disk_->device(), Slot::kA, (work_.path() / "mnt").string()});
    boot_ = std::make_unique<platform::GrubEnvBootloader>(*files_, kGrubenv);
    fetcher_ = std::make_unique<platform::CurlFetcher>(root_.path().string());
    installer_ = std::make_unique<platform::BlockImageInstaller>(
        runner_, (work_.path() / "install-mnt").string());
    deps_ = std::make_unique<core::upgrade::UpgradeDeps>(
        core::upgrade::UpgradeDeps{core::Ports{*files_, *blocks_, *boot_, power_, clock_},
                                   core::Settings{},
                                   *fetcher_,
                                   *installer_,
                                   hashers_,
                                   health_,
                                   {}});
    ctx_ = std::make_unique<DiskJobContext>(*files_);

    booted_before_ = Sha256Of(disk_->Partition(2), kSlotMiB << 20);
    grubenv_before_ = ReadFile(grubenv);
  }

  std::string GrubenvBytes() { return ReadFile(root_.path() / fs::path(kGrubenv).relative_path()); }
  std::string StandbyFsType() {
    try {
      return MustRun({"blkid", "-p", "-o", "value", "-s", "TYPE", disk_->Partition(3)});
    } catch (const std::exception&) {
      return "";  // blkid exits 2 when it finds nothing
    }
  }

  core::UpgradeRequest Request(const std::string& path, const std::string& body) {
    server_->Serve(path, body);
    core::UpgradeRequest r;
    r.version = "KubeOS 2.0.0";
    r.image_url = server_->Url(path);
    r.checksum = Sha256Of(Stage("checksum-input", body));
    r.mtls = true;
    r.ca_cert = "ca.pem";
    r.client_cert = "client.pem";
    r.client_key = "client.key";
    return r;
  }

  fs::path Stage(const std::string& name, const std::string& data) {
    const fs::path p = work_.path() / name;
    WriteFile(p, data);
    return p;
  }

  // A raw ext4 image of |mib| MiB holding an os-release.
  std::string RawImage(uint64_t mib = 12) {
    const fs::path dir = work_.path() / "raw-root";
    WriteFile(dir / "etc/os-release", "PRETTY_NAME=\"KubeOS 2.0.0\"\n");
    WriteFile(dir / "usr/bin/tool", std::string(300000, 't'), 0755);
    const fs::path img = work_.path() / "update.img";
    MustRun({"truncate", "-s", std::to_string(mib) + "M", img.string()});
    MustRun({"mkfs.ext4", "-q", "-F", "-L", "ROOT-B", "-d", dir.string(), img.string()});
    return ReadFile(img);
  }

  void ExpectBootedSlotAndBootUntouched() {
    EXPECT_EQ(Sha256Of(disk_->Partition(2), kSlotMiB << 20), booted_before_);
    EXPECT_EQ(GrubenvBytes(), grubenv_before_);
    EXPECT_FALSE(ctx_->state.pending.has_value());
  }
  void ExpectRefusedUntouched(const Result<core::JobOutcome>& outcome, Errc code) {
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, code) << outcome.error().message;
    ExpectBootedSlotAndBootUntouched();
    EXPECT_EQ(StandbyFsType(), "");
    EXPECT_NE(ctx_->state.slot_b.health, SlotHealth::kInstalled);
    EXPECT_NE(ctx_->state.slot_b.health, SlotHealth::kGood);
  }
  void ExpectArmedForB() {
    const std::string env = GrubenvBytes();
    EXPECT_EQ(env.size(), 1024u);
    EXPECT_NE(env.find("saved_entry=A\n"), std::string::npos);
    EXPECT_NE(env.find("next_entry=B\n"), std::string::npos);
    const auto saved = files_->Read(kStateFile);
    ASSERT_TRUE(saved.has_value() && saved->has_value());
    const auto state = core::ParseState((*saved)->data);
    ASSERT_TRUE(state.has_value());
    ASSERT_TRUE(state->pending.has_value());
    EXPECT_EQ(state->pending->target, Slot::kB);
    EXPECT_EQ(state->pending->version, "KubeOS 2.0.0");
    EXPECT_EQ(state->slot_b.health, SlotHealth::kInstalled);
    EXPECT_EQ(Sha256Of(disk_->Partition(2), kSlotMiB << 20), booted_before_);
  }

  TempDir root_;
  TempDir work_;
  std::unique_ptr<LoopDisk> disk_;
  std::unique_ptr<TlsServer> server_;
  std::unique_ptr<platform::PosixFileSystem> files_;
  std::unique_ptr<platform::BlkidBlockDevices> blocks_;
  std::unique_ptr<platform::GrubEnvBootloader> boot_;
  std::unique_ptr<platform::CurlFetcher> fetcher_;
  platform::PosixCommandRunner runner_;
  std::unique_ptr<platform::BlockImageInstaller> installer_;
  platform::OpenSslHasherFactory hashers_;
  fakes::FakeHealthChecker health_;
  NoPower power_;
  core::SteadyClock clock_;
  std::unique_ptr<core::upgrade::UpgradeDeps> deps_;
  std::unique_ptr<DiskJobContext> ctx_;
  std::string booted_before_;
  std::string grubenv_before_;
};

TEST_F(UpgradeDiskTest, RawImageOverMutualTlsLandsByteForByteAndArmsTheTrialBoot) {
  const std::string image = RawImage();
  const auto outcome = core::upgrade::RunUpgrade(*deps_, Request("/update.img", image), *ctx_);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(Sha256Of(disk_->Partition(3), image.size()), Sha256Of(work_.path() / "update.img"));
  EXPECT_EQ(ctx_->bytes_done, image.size());
  EXPECT_EQ(ctx_->bytes_total, image.size());
  ExpectArmedForB();
  EXPECT_TRUE(outcome->reboot_requested);
}

TEST_F(UpgradeDiskTest, ADroppedConnectionIsResumedWithARangeRequest) {
  const std::string image = RawImage();
  auto request = Request("/update.img", image);
  server_->DropNextAfter(3 << 20);
  const auto outcome = core::upgrade::RunUpgrade(*deps_, request, *ctx_);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_GE(server_->range_requests(), 1);
  EXPECT_EQ(Sha256Of(disk_->Partition(3), image.size()), Sha256Of(work_.path() / "update.img"));
  ExpectArmedForB();
}

// A root filesystem tree exercising everything a tar must carry across.
fs::path MakeRootTree(const fs::path& dir) {
  WriteFile(dir / "etc/os-release", "PRETTY_NAME=\"KubeOS 2.0.0\"\n");
  WriteFile(dir / "usr/bin/ping", "#!/bin/true\n", 0755);
  WriteFile(dir / "usr/bin/su", "setuid\n", 04755);
  WriteFile(dir / "home/user/notes", "private\n", 0640);
  WriteFile(dir / "etc/labelled", "x\n", 0644);
  if (::chown((dir / "home/user/notes").c_str(), 1234, 5678) != 0)
    throw std::runtime_error("chown");
  MustRun({"setcap", "cap_net_raw+ep", (dir / "usr/bin/ping").string()});
  const std::string label = "system_u:object_r:etc_t:s0";
  if (::setxattr((dir / "etc/labelled").c_str(), "security.selinux", label.c_str(),
                 label.size() + 1, 0) != 0 ||
      ::setxattr((dir / "etc/labelled").c_str(), "user.kubeos", "hello", 5, 0) != 0) {
    throw std::runtime_error("setxattr");
  }
  // POSIX ACL (xattr form): user::rw-, user:4321:r--, group::r--, mask::r--, other::---. The
  // uid has no passwd entry on purpose: GNU tar would store a user name, and names are resolved
  // against the image, not the host.
  const unsigned char acl[] = {2,    0,    0,    0,    1,    0,    6,    0,    0xff, 0xff, 0xff,
                               0xff, 2,    0,    4,    0,    0xe1, 0x10, 0,    0,    4,    0,
                               4,    0,    0xff, 0xff, 0xff, 0xff, 0x10, 0,    4,    0,    0xff,
                               0xff, 0xff, 0xff, 0x20, 0,    0,    0,    0xff, 0xff, 0xff, 0xff};
  if (::setxattr((dir / "home/user/notes").c_str(), "system.posix_acl_access", acl, sizeof acl,
                 0) != 0) {
    throw std::runtime_error("set acl");
  }
  fs::create_directories(dir / "usr/lib");
  fs::create_symlink("../bin/ping", dir / "usr/lib/ping-link");
  fs::create_hard_link(dir / "usr/bin/ping", dir / "usr/bin/ping6");
  return dir;
}

std::string Xattr(const fs::path& p, const char* name) {
  char buf[512];
  const ssize_t n = ::lgetxattr(p.c_str(), name, buf, sizeof buf);
  return n < 0 ? std::string("<none>") : std::string(buf, static_cast<size_t>(n));
}

void ExpectSameTree(const fs::path& want, const fs::path& got) {
  for (const auto& entry : fs::recursive_directory_iterator(want)) {
    const fs::path rel = entry.path().lexically_relative(want);  // fs::relative follows links
    SCOPED_TRACE(rel.string());
    struct stat a {
    }, b{};
    ASSERT_EQ(::lstat(entry.path().c_str(), &a), 0);
    ASSERT_EQ(::lstat((got / rel).c_str(), &b), 0) << "missing";
    EXPECT_EQ(a.st_mode, b.st_mode);
    EXPECT_EQ(a.st_uid, b.st_uid);
    EXPECT_EQ(a.st_gid, b.st_gid);
    if (S_ISREG(a.st_mode)) {
      EXPECT_EQ(ReadFile(entry.path()), ReadFile(got / rel));
    }
    if (S_ISLNK(a.st_mode)) {
      EXPECT_EQ(fs::read_symlink(entry.path()), fs::read_symlink(got / rel));
    }
    for (const char* name :
         {"security.capability", "security.selinux", "user.kubeos", "system.posix_acl_access"}) {
      EXPECT_EQ(Xattr(entry.path(), name), Xattr(got / rel, name)) << name;
    }
  }
}

class TarUpgradeDiskTest : public UpgradeDiskTest,
                           public ::testing::WithParamInterface<const char*> {};

TEST_P(TarUpgradeDiskTest, RootTarIsExtractedFileForFileOntoAFreshLabelledFilesystem) {
  const fs::path tree = MakeRootTree(work_.path() / "tree");
  const fs::path tar = work_.path() / "os.tar";
  std::vector<std::string> argv = {"tar",
                                   "--xattrs",
                                   "--xattrs-include=security.*",
                                   "--xattrs-include=user.*",
                                   "--acls",
                                   "--numeric-owner",
                                   "-C",
                                   tree.string(),
                                   "-cpf",
                                   tar.string()};
  if (std::strlen(GetParam()) > 0) argv.insert(argv.begin() + 1, GetParam());
  argv.push_back(".");
  MustRun(argv);
  const auto outcome = core::upgrade::RunUpgrade(*deps_, Request("/os.tar", ReadFile(tar)), *ctx_);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(MustRun({"blkid", "-p", "-o", "value", "-s", "LABEL", disk_->Partition(3)}),
            "ROOT-B\n");
  {
    ScopedMount check(disk_->Partition(3), work_.path() / "check", true);
    ExpectSameTree(tree, check.dir());
    struct stat a {
    }, b{};
    ASSERT_EQ(::stat((check.dir() / "usr/bin/ping").c_str(), &a), 0);
    ASSERT_EQ(::stat((check.dir() / "usr/bin/ping6").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);  // hard link kept
  }
  ExpectArmedForB();
}

INSTANTIATE_TEST_SUITE_P(Compression,
                         TarUpgradeDiskTest,
                         ::testing::Values("", "--gzip", "--zstd"));

// ---- refusals ---------------------------------------------------------------------------------

TEST_F(UpgradeDiskTest, PlainHttpWithoutFlagSafeIsRefused) {
  auto r = Request("/update.img", RawImage());
  r.image_url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/update.img";
  r.mtls = false;
  ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kUnsafeUrl);
}

TEST_F(UpgradeDiskTest, FtpAndFileUrlsAreRefusedEvenWithFlagSafe) {
  auto r = Request("/update.img", RawImage());
  r.flag_safe = true;
  const std::string urls[] = {"ftp://127.0.0.1/update.img",
                              "file://" + (work_.path() / "update.img").string()};
  for (const std::string& url : urls) {
    r.image_url = url;
    ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kUnsafeUrl);
  }
}

TEST_F(UpgradeDiskTest, CertificateNamesThatEscapeTheCertsDirectoryAreRefused) {
  auto r = Request("/update.img", RawImage());
  r.ca_cert = "../../../" + (work_.path() / "pki/ca.pem").relative_path().string();
  ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kInvalidArgs);
  r.ca_cert = "ca.pem";
  r.client_key = "../certs/client.key";
  ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kInvalidArgs);
}

TEST_F(UpgradeDiskTest, AGroupReadableClientKeyIsRefused) {
  auto r = Request("/update.img", RawImage());
  r.client_key = "loose.key";
  ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kInvalidArgs);
}

TEST_F(UpgradeDiskTest, AServerSignedByAnotherCaIsRefused) {
  auto r = Request("/update.img", RawImage());
  r.ca_cert = "wrong-ca.pem";
  ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kDownloadFailed);
}

TEST_F(UpgradeDiskTest, WithoutAClientCertificateTheServerRefusesTheDownload) {
  auto r = Request("/update.img", RawImage());
  r.mtls = false;
  ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kDownloadFailed);
}

TEST_F(UpgradeDiskTest, AChecksumMismatchLeavesTheStandbyInvalidAndBootUntouched) {
  auto r = Request("/update.img", RawImage());
  r.checksum = std::string(64, 'a');
  const auto outcome = core::upgrade::RunUpgrade(*deps_, r, *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kChecksumMismatch);
  EXPECT_NE(outcome.error().message.find("expected " + std::string(64, 'a')), std::string::npos);
  EXPECT_EQ(ctx_->state.slot_b.health, SlotHealth::kBad);
}

TEST_F(UpgradeDiskTest, ARawImageLargerThanTheSlotIsRefusedBeforeWriting) {
  auto r = Request("/update.img", RawImage(kSlotMiB + 8));
  ExpectRefusedUntouched(core::upgrade::RunUpgrade(*deps_, r, *ctx_), Errc::kNoSpace);
}

TEST_F(UpgradeDiskTest, ATarThatFillsTheSlotFailsWithNoSpaceAndLeavesItInvalid) {
  const fs::path tree = work_.path() / "big";
  WriteFile(tree / "etc/os-release", "PRETTY_NAME=\"KubeOS 2.0.0\"\n");
  WriteFile(tree / "var/big", std::string((kSlotMiB + 8) << 20, 'z'));
  const fs::path tar = work_.path() / "big.tar";
  MustRun({"tar", "-C", tree.string(), "-cf", tar.string(), "."});
  const auto outcome = core::upgrade::RunUpgrade(*deps_, Request("/big.tar", ReadFile(tar)), *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kNoSpace);
}

// A ustar archive of empty files and symlinks, written by hand: GNU tar refuses to create the
// hostile names these tests need.
std::string HandMadeTar(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  for (const auto& [name, link] : entries) {
    std::string h(512, '\0');
    std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 99));
    std::memcpy(h.data() + 100, "0000644", 7);
    std::memcpy(h.data() + 108, "0000000", 7);
    std::memcpy(h.data() + 116, "0000000", 7);
    std::memcpy(h.data() + 124, "00000000000", 11);
    std::memcpy(h.data() + 136, "00000000000", 11);
    h[156] = link.empty() ? '0' : '2';
    std::memcpy(h.data() + 157, link.data(), std::min<size_t>(link.size(), 99));
    std::memcpy(h.data() + 257,
                "ustar\0"
                "00",
                8);
    unsigned sum = 0;
    for (size_t i = 0; i < 512; ++i) {
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    }
    char field[8];
    std::snprintf(field, sizeof field, "%06o", sum);
    std::memcpy(h.data() + 148, field, 7);
    out += h;
  }
  return out + std::string(1024, '\0');
}

TEST_F(UpgradeDiskTest, TarEntriesThatEscapeTheRootAreRefused) {
  const fs::path victim = work_.path() / "victim";
  fs::create_directories(victim);
  const std::string hostile[] = {
      HandMadeTar({{"./etc/os-release", ""},
                   {"../../../../../../" + victim.relative_path().string() + "/dotdot", ""}}),
      HandMadeTar({{"/" + victim.relative_path().string() + "/absolute", ""}}),
      HandMadeTar({{"./escape", victim.string()}, {"./escape/through-link", ""}}),
  };
  int n = 0;
  for (const std::string& tar : hostile) {
    SCOPED_TRACE(n);
    const auto outcome = core::upgrade::RunUpgrade(
        *deps_, Request("/evil" + std::to_string(n++) + ".tar", tar), *ctx_);
    ASSERT_FALSE(outcome.has_value());
    EXPECT_TRUE(fs::is_empty(victim)) << "something was written outside the slot";
    ExpectBootedSlotAndBootUntouched();
    EXPECT_EQ(StandbyFsType(), "");
  }
}

TEST_F(UpgradeDiskTest, CancelDuringTheDownloadLeavesTheStandbyInvalidAndBootUntouched) {
  const std::string image = RawImage();
  ctx_->cancel_after = 4 << 20;
  const auto outcome = core::upgrade::RunUpgrade(*deps_, Request("/update.img", image), *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kCancelled);
  EXPECT_EQ(ctx_->state.slot_b.health, SlotHealth::kInstalling);
}

// ---- after the reboot -------------------------------------------------------------------------

TEST_F(UpgradeDiskTest, AfterRebootingIntoTheNewSlotItIsCommittedInTheGrubEnvironment) {
  const std::string image = RawImage();
  ASSERT_TRUE(core::upgrade::RunUpgrade(*deps_, Request("/update.img", image), *ctx_).has_value());
  // GRUB consumed next_entry and booted B.
  const fs::path grubenv = root_.path() / fs::path(kGrubenv).relative_path();
  MustRun({"grub-editenv", grubenv.string(), "unset", "next_entry"});
  platform::BlkidBlockDevices booted_b(platform::BlockDeviceOptions{
      root_.path().string(), disk_->device(), Slot::kB, (work_.path() / "mnt").string()});
  core::upgrade::UpgradeDeps after = *deps_;
  core::upgrade::UpgradeDeps rebooted{core::Ports{*files_, booted_b, *boot_, power_, clock_},
                                      after.settings,
                                      *fetcher_,
                                      *installer_,
                                      hashers_,
                                      health_,
                                      {}};
  const auto confirmed = core::upgrade::ConfirmBoot(rebooted, *ctx_);
  ASSERT_TRUE(confirmed.has_value()) << confirmed.error().message;
  EXPECT_NE(MustRun({"grub-editenv", grubenv.string(), "list"}).find("saved_entry=B"),
            std::string::npos);
  EXPECT_EQ(ctx_->state.slot_b.health, SlotHealth::kGood);
  EXPECT_FALSE(ctx_->state.pending.has_value());

  // Rolling back from B trial-boots A again, the factory image that was never touched.
  core::RollbackRequest back;
  back.version = "KubeOS 1.0.0";
  const auto rolled = core::upgrade::RunRollback(rebooted, back, *ctx_);
  ASSERT_TRUE(rolled.has_value()) << rolled.error().message;
  EXPECT_NE(MustRun({"grub-editenv", grubenv.string(), "list"}).find("next_entry=A"),
            std::string::npos);
}

}  // namespace
}  // namespace kubeos::testing
