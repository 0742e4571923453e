// SPDX-License-Identifier: MulanPSL-2.0
// R-4.4, R-4.5: upgrades from container images with every real part started by the test —
// Debian's docker-registry on 127.0.0.1 with a test CA, a private containerd (its own root, state
// and socket) used through ctr with a hosts.toml under the node's certs.d, a private dockerd on
// that containerd, and images built without a Docker daemon (an OCI layout written here, pushed
// with skopeo). /os.tar lands in a loop-device standby slot; every refusal leaves the booted slot,
// the GRUB environment and the runtime (no mount, snapshot or container left) as they were.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/state.h"
#include "core/upgrade/upgrade_job.h"
#include "disk/disk_fixture.h"
#include "disk/job_context.h"
#include "fakes/fake_fetcher.h"
#include "fakes/fake_health_checker.h"
#include "platform/blkid_block_devices.h"
#include "platform/block_image_installer.h"
#include "platform/container_cli.h"
#include "platform/container_containerd.h"
#include "platform/container_docker.h"
#include "platform/grubenv_bootloader.h"
#include "platform/openssl_sha256.h"
#include "platform/posix_command_runner.h"
#include "platform/posix_file_system.h"
#include "support/temp_dir.h"

extern char** environ;

namespace kubeos::testing {
namespace {

namespace fs = std::filesystem;
using core::Slot;
using core::SlotHealth;

constexpr uint64_t kSlotMiB = 32;
constexpr const char* kGrubenv = "/boot/efi/EFI/BOOT/grubenv";

// A background daemon with its output in |log|; killed and reaped on destruction.
class Daemon {
 public:
  Daemon(const std::vector<std::string>& argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  ~Daemon() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  bool Running() { return ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

// Polls |argv| until it succeeds while |daemon| runs (readiness, not timing: no deadline beyond
// a generous retry count that only guards against a hang).
bool WaitReady(Daemon& daemon, const std::vector<std::string>& argv) {
  for (int i = 0; i < 600; ++i) {
    if (RunStatus(argv) == 0) return true;
    if (!daemon.Running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Records every command before running it for real.
class RecordingRunner final : public core::CommandRunner {
 public:
  Result<core::CommandResult> Run(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    return real_.Run(argv);
  }
  std::vector<std::vector<std::string>> calls;

 private:
  platform::PosixCommandRunner real_;
};

class ContainerUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (loop devices, mounts, containerd)";
    const fs::path w = work_.path();
    MakeTestPki(w / "pki");
    port_ = FreePort();
    registry_host_ = "127.0.0.1:" + std::to_string(port_);

    // The registry, TLS with the test CA's server certificate for 127.0.0.1.
    WriteFile(w / "registry.yml",
              "version: 0.1\nlog: {level: warn}\nstorage: {filesystem: "
              "{rootdirectory: " +
                  (w / "registry").string() + "}}\nhttp: {addr: " + registry_host_ +
                  ", tls: {certificate: " + (w / "pki/server.pem").string() +
                  ", key: " + (w / "pki/server.key").string() + "}}\n");
    registry_ = std::make_unique<Daemon>(
        std::vector<std::string>{"docker-registry", "serve", (w / "registry.yml").string()},
        w / "registry.log");
    ASSERT_TRUE(WaitReady(*registry_, {"curl", "-sf", "--cacert", (w / "pki/ca.pem").string(),
                                       "https://" + registry_host_ + "/v2/"}))
        << ReadFile(w / "registry.log");

    // A private containerd; ctr (run by kubeosd and by the test) finds it through the environment.
    const fs::path ctd = w / "ctd";
    fs::create_directories(ctd);
    WriteFile(ctd / "config.toml",
              "version = 2\nroot = \"" + (ctd / "root").string() + "\"\nstate = \"" +
                  (ctd / "state").string() +
                  "\"\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = \"" +
                  (ctd / "sock").string() + "\"\n[ttrpc]\n  address = \"" +
                  (ctd / "sock.ttrpc").string() + "\"\n");
    containerd_ = std::make_unique<Daemon>(
        std::vector<std::string>{"containerd", "--config", (ctd / "config.toml").string()},
        w / "containerd.log");
    ::setenv("CONTAINERD_ADDRESS", (ctd / "sock").c_str(), 1);
    ASSERT_TRUE(WaitReady(*containerd_, {"ctr", "version"})) << ReadFile(w / "containerd.log");

    // The node: certs.d under kubeosd's --root, which is where the runtime must look.
    WriteFile(root_.path() / "etc/containerd/certs.d" / registry_host_ / "hosts.toml",
              "server = \"https://" + registry_host_ + "\"\n[host.\"https://" + registry_host_ +
                  "\"]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = \"" +
                  (w / "pki/ca.pem").string() + "\"\n");
    const fs::path grubenv = root_.path() / fs::path(kGrubenv).relative_path();
    fs::create_directories(grubenv.parent_path());
    MustRun({"grub-editenv", grubenv.string(), "create"});
    MustRun({"grub-editenv", grubenv.string(), "set", "saved_entry=A"});
    disk_ = std::make_unique<LoopDisk>(w / "disk.img", kSlotMiB);
    WriteFile(w / "a-root/etc/os-release", "PRETTY_NAME=\"KubeOS 1.0.0\"\n");
    MustRun({"mkfs.ext4", "-q", "-F", "-L", "ROOT-A", "-d", (w / "a-root").string(),
             disk_->Partition(2)});

    files_ = std::make_unique<platform::PosixFileSystem>(root_.path().string());
    blocks_ = std::make_unique<platform::BlkidBlockDevices>(platform::BlockDeviceOptions{
        root_.path().string(), disk_->device(), Slot::kA, (w / "mnt").string()});
    boot_ = std::make_unique<platform::GrubEnvBootloader>(*files_, kGrubenv);
    installer_ =
        std::make_unique<platform::BlockImageInstaller>(runner_, (w / "install-mnt").string());
    containerd_runtime_ = std::make_unique<platform::ContainerdRuntime>(
        runner_, platform::ContainerdOptions{(root_.path() / "etc/containerd/certs.d").string(),
                                             mount_dir(), "k8s.io"});
    docker_runtime_ = std::make_unique<platform::DockerRuntime>(runner_);
    deps_ = std::make_unique<core::upgrade::UpgradeDeps>(
        core::upgrade::UpgradeDeps{core::Ports{*files_, *blocks_, *boot_, power_, clock_},
                                   core::Settings{},
                                   fetcher_,
                                   *installer_,
                                   hashers_,
                                   health_,
                                   {},
                                   docker_runtime_.get(),
                                   containerd_runtime_.get()});
    ctx_ = std::make_unique<DiskJobContext>(*files_);

    // The images: one carrying /os.tar of a small root tree, one without /os.tar.
    tree_ = w / "tree";
    WriteFile(tree_ / "etc/os-release", "PRETTY_NAME=\"KubeOS 2.0.0\"\n");
    WriteFile(tree_ / "usr/bin/tool", std::string(200000, 't'), 0755);
    WriteFile(tree_ / "etc/kubeos/marker", "from a container image\n", 0600);
    MustRun({"tar", "--numeric-owner", "-C", tree_.string(), "-cpf", (w / "os.tar").string(), "."});
    WriteFile(w / "layer-os/os.tar", ReadFile(w / "os.tar"), 0600);
    os_digest_ = PushImage(w / "layer-os", "kubeos/os:v2");
    WriteFile(w / "layer-empty/etc/os-release", "not here\n");
    empty_digest_ = PushImage(w / "layer-empty", "kubeos/no-os-tar:v1");

    booted_before_ = Sha256Of(disk_->Partition(2), kSlotMiB << 20);
    grubenv_before_ = ReadFile(grubenv);
    path_before_ = std::getenv("PATH");
  }

  void TearDown() override {
    if (!path_before_.empty()) ::setenv("PATH", path_before_.c_str(), 1);
  }

  std::string mount_dir() const { return (work_.path() / "kubeos-mnt").string(); }

  // Writes an OCI image layout whose one gzip layer holds |layer_dir|, pushes it to the registry
  // as |name_tag| with skopeo, and returns the manifest digest (hex).
  std::string PushImage(const fs::path& layer_dir, const std::string& name_tag) {
    const fs::path oci = work_.path() / ("oci-" + layer_dir.filename().string());
    const fs::path blobs = oci / "blobs/sha256";
    fs::create_directories(blobs);
    const fs::path tar = oci / "layer.tar";
    MustRun({"tar", "--numeric-owner", "-C", layer_dir.string(), "-cf", tar.string(), "."});
    const std::string diff_id = Sha256Of(tar);
    MustRun({"gzip", "-n", tar.string()});
    const fs::path gz = oci / "layer.tar.gz";
    const std::string layer = Sha256Of(gz);
    const auto layer_size = fs::file_size(gz);
    fs::rename(gz, blobs / layer);
    const std::string config =
        R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:)" +
        diff_id + R"("]}})";
    const fs::path cfg = Blob(blobs, config);
    const std::string manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
        cfg.filename().string() + R"(","size":)" + std::to_string(config.size()) +
        R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:)" +
        layer + R"(","size":)" + std::to_string(layer_size) + "}]}";
    const fs::path man = Blob(blobs, manifest);
    WriteFile(
        oci / "index.json",
        R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
            man.filename().string() + R"(","size":)" + std::to_string(manifest.size()) + "}]}");
    WriteFile(oci / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    WriteFile(work_.path() / "skopeo-certs/ca.crt", ReadFile(work_.path() / "pki/ca.pem"));
    MustRun({"skopeo", "copy", "--quiet", "--dest-cert-dir",
             (work_.path() / "skopeo-certs").string(), "oci:" + oci.string(),
             "docker://" + registry_host_ + "/" + name_tag});
    return man.filename().string();
  }

  static fs::path Blob(const fs::path& blobs, const std::string& data) {
    const fs::path tmp = blobs / "tmp";
    WriteFile(tmp, data);
    const fs::path named = blobs / Sha256Of(tmp);
    fs::rename(tmp, named);
    return named;
  }

  core::UpgradeRequest Request(core::ImageType type,
                               const std::string& image,
                               const std::string& checksum) {
    core::UpgradeRequest r;
    r.version = "KubeOS 2.0.0";
    r.image_type = type;
    r.container_image = image;
    r.checksum = checksum;
    return r;
  }
  std::string Ref(const std::string& name_tag) const { return registry_host_ + "/" + name_tag; }

  std::string StandbyFsType() {
    try {
      return MustRun({"blkid", "-p", "-o", "value", "-s", "TYPE", disk_->Partition(3)});
    } catch (const std::exception&) {
      return "";
    }
  }
  void ExpectBootedSlotAndBootUntouched() {
    EXPECT_EQ(Sha256Of(disk_->Partition(2), kSlotMiB << 20), booted_before_);
    EXPECT_EQ(ReadFile(root_.path() / fs::path(kGrubenv).relative_path()), grubenv_before_);
    EXPECT_FALSE(ctx_->state.pending.has_value());
  }
  void ExpectRefusedUntouched(const Result<core::JobOutcome>& outcome, Errc code) {
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, code) << outcome.error().message;
    ExpectBootedSlotAndBootUntouched();
    EXPECT_EQ(StandbyFsType(), "");
    EXPECT_NE(ctx_->state.slot_b.health, SlotHealth::kInstalled);
    ExpectNoSnapshotLeft();
  }
  // The standby holds exactly the tree of /os.tar, and the trial boot of B is armed.
  void ExpectStandbyIsTheTreeAndArmed() {
    EXPECT_EQ(MustRun({"blkid", "-p", "-o", "value", "-s", "LABEL", disk_->Partition(3)}),
              "ROOT-B\n");
    {
      ScopedMount check(disk_->Partition(3), work_.path() / "check", true);
      EXPECT_EQ(RunStatus({"diff", "-r", "--no-dereference", "--exclude=lost+found", tree_.string(),
                           check.dir().string()}),
                0);
      EXPECT_EQ(ReadFile(check.dir() / "etc/kubeos/marker"), "from a container image\n");
      EXPECT_EQ(fs::status(check.dir() / "etc/kubeos/marker").permissions(),
                fs::perms::owner_read | fs::perms::owner_write);
    }
    const std::string env = ReadFile(root_.path() / fs::path(kGrubenv).relative_path());
    EXPECT_NE(env.find("next_entry=B\n"), std::string::npos);
    EXPECT_NE(env.find("saved_entry=A\n"), std::string::npos);
    ASSERT_TRUE(ctx_->state.pending.has_value());
    EXPECT_EQ(ctx_->state.pending->target, Slot::kB);
    EXPECT_EQ(ctx_->state.slot_b.health, SlotHealth::kInstalled);
    EXPECT_EQ(Sha256Of(disk_->Partition(2), kSlotMiB << 20), booted_before_);
    ExpectNoSnapshotLeft();
  }
  // Nothing of the read of /os.tar stays behind: no mount, no snapshot keyed by the mount point.
  void ExpectNoSnapshotLeft() {
    EXPECT_EQ(ReadFile("/proc/mounts").find(mount_dir()), std::string::npos);
    EXPECT_EQ(MustRun({"ctr", "-n", "k8s.io", "snapshots", "ls"}).find(mount_dir()),
              std::string::npos);
  }

  TempDir root_;
  TempDir work_;
  uint16_t port_ = 0;
  std::string registry_host_;
  std::unique_ptr<Daemon> registry_;
  std::unique_ptr<Daemon> containerd_;
  std::unique_ptr<LoopDisk> disk_;
  std::unique_ptr<platform::PosixFileSystem> files_;
  std::unique_ptr<platform::BlkidBlockDevices> blocks_;
  std::unique_ptr<platform::GrubEnvBootloader> boot_;
  RecordingRunner runner_;
  std::unique_ptr<platform::BlockImageInstaller> installer_;
  std::unique_ptr<platform::ContainerdRuntime> containerd_runtime_;
  std::unique_ptr<platform::DockerRuntime> docker_runtime_;
  fakes::FakeFetcher fetcher_;  // never used: container upgrades download nothing themselves
  platform::OpenSslHasherFactory hashers_;
  fakes::FakeHealthChecker health_;
  NoPower power_;
  core::SteadyClock clock_;
  std::unique_ptr<core::upgrade::UpgradeDeps> deps_;
  std::unique_ptr<DiskJobContext> ctx_;
  fs::path tree_;
  std::string os_digest_;
  std::string empty_digest_;
  std::string booted_before_;
  std::string grubenv_before_;
  std::string path_before_;
};

bool Ran(const RecordingRunner& runner, const std::string& program, const std::string& verb) {
  for (const auto& c : runner.calls) {
    if (c.at(0) == program && std::find(c.begin(), c.end(), verb) != c.end()) return true;
  }
  return false;
}

// ---- containerd through ctr -------------------------------------------------------------------

TEST_F(ContainerUpgradeTest, R4_5_ContainerdWithCtrInstallsOsTarIntoTheStandbyAndArmsIt) {
  ASSERT_FALSE(platform::FoundInPath("crictl")) << "a crictl on PATH would be chosen";
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kContainerd, Ref("kubeos/os:v2"), os_digest_), *ctx_);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  ExpectStandbyIsTheTreeAndArmed();
  // Pulled by ctr with the hosts directory under kubeosd's root (seed note 6).
  bool pulled = false;
  for (const auto& c : runner_.calls) {
    if (c.size() > 7 && c[0] == "ctr" && c[4] == "pull") {
      pulled = true;
      EXPECT_EQ(c[5], "--hosts-dir");
      EXPECT_EQ(c[6], (root_.path() / "etc/containerd/certs.d").string());
    }
  }
  EXPECT_TRUE(pulled);
  EXPECT_TRUE(fetcher_.opened.empty());
}

TEST_F(ContainerUpgradeTest, R4_5_ContainerdByDigestReferenceInstalls) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_,
      Request(core::ImageType::kContainerd, Ref("kubeos/os@sha256:" + os_digest_), os_digest_),
      *ctx_);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  ExpectStandbyIsTheTreeAndArmed();
}

TEST_F(ContainerUpgradeTest, R4_4_AWrongDigestIsRefusedWithExpectedAndActual) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kContainerd, Ref("kubeos/os:v2"), empty_digest_), *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kChecksumMismatch);
  EXPECT_NE(outcome.error().message.find(empty_digest_), std::string::npos);
  EXPECT_NE(outcome.error().message.find(os_digest_), std::string::npos);
  EXPECT_EQ(ctx_->state.slot_b.health, SlotHealth::kBad);
  EXPECT_FALSE(Ran(runner_, "ctr", "mount"));  // nothing read from an unverified image
}

TEST_F(ContainerUpgradeTest, R4_5_AnUnknownImageIsAPullFailure) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kContainerd, Ref("kubeos/missing:v9"), os_digest_), *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kImagePull);
}

TEST_F(ContainerUpgradeTest, R4_5_AnImageWithoutOsTarIsRefusedAndItsSnapshotRemoved) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kContainerd, Ref("kubeos/no-os-tar:v1"), empty_digest_),
      *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kInvalidImage);
  EXPECT_NE(outcome.error().message.find("/os.tar"), std::string::npos);
  EXPECT_TRUE(Ran(runner_, "ctr", "unmount"));
}

TEST_F(ContainerUpgradeTest, R4_5_MalformedReferencesAreRefusedBeforeAnyCommandRuns) {
  const fs::path witness = work_.path() / "witness";
  for (core::ImageType type : {core::ImageType::kContainerd, core::ImageType::kDocker}) {
    for (const std::string& bad : {
             Ref("kubeos/os:v2;touch " + witness.string()),
             Ref("kubeos/os:v2") + " && touch " + witness.string(),
             "$(touch " + witness.string() + ")/os",
             "`touch " + witness.string() + "`/os:v2",
             std::string("--help/os"),
             Ref("kubeos/os:v2|cat"),
             Ref("KubeOS/OS:v2"),
             Ref("kubeos/../os:v2"),
         }) {
      SCOPED_TRACE(bad);
      const auto outcome = core::upgrade::RunUpgrade(*deps_, Request(type, bad, os_digest_), *ctx_);
      ASSERT_FALSE(outcome.has_value());
      EXPECT_EQ(outcome.error().code, Errc::kInvalidArgs) << outcome.error().message;
    }
  }
  EXPECT_TRUE(runner_.calls.empty());
  EXPECT_FALSE(fs::exists(witness));
  ExpectBootedSlotAndBootUntouched();
  EXPECT_EQ(StandbyFsType(), "");
  EXPECT_EQ(ctx_->state.slot_b.health, SlotHealth::kUnknown);
}

// ---- containerd through crictl (not packaged in Debian: a fake that pulls with ctr) -----------

TEST_F(ContainerUpgradeTest, R4_5_CrictlOnPathIsPreferredForThePull) {
  const fs::path bin = work_.path() / "fake-bin";
  const fs::path log = work_.path() / "crictl.log";
  WriteFile(
      bin / "crictl",
      "#!/bin/sh\n"
      "# Fake crictl: logs its arguments; pull and inspecti are served by the real ctr.\n"
      "echo \"$*\" >> " +
          log.string() +
          "\n"
          "case \"$1\" in\n"
          "  pull) exec ctr -n k8s.io images pull --hosts-dir " +
          (root_.path() / "etc/containerd/certs.d").string() +
          " \"$2\" >/dev/null ;;\n"
          "  inspecti) ref=\"$4\"\n"
          "    d=$(ctr -n k8s.io images ls \"name==$ref\" | awk 'NR==2 {print $3}')\n"
          "    [ -n \"$d\" ] || exit 1\n"
          "    printf '{\"status\":{\"repoDigests\":[\"%s@%s\"]}}\\n' \"${ref%:*}\" \"$d\" ;;\n"
          "  *) exit 2 ;;\n"
          "esac\n",
      0755);
  ::setenv("PATH", (bin.string() + ":" + path_before_).c_str(), 1);
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kContainerd, Ref("kubeos/os:v2"), os_digest_), *ctx_);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  ExpectStandbyIsTheTreeAndArmed();
  EXPECT_EQ(ReadFile(log), "pull " + Ref("kubeos/os:v2") + "\ninspecti --output json " +
                               Ref("kubeos/os:v2") + "\n");
  EXPECT_FALSE(Ran(runner_, "ctr", "pull"));
  EXPECT_TRUE(Ran(runner_, "ctr", "mount"));  // /os.tar is still read through ctr, like upstream
}

// ---- docker: a private dockerd (Debian's docker.io) on the private containerd -----------------

class DockerUpgradeTest : public ContainerUpgradeTest {
 protected:
  void SetUp() override {
    ContainerUpgradeTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (RunStatus({"sh", "-c", "command -v dockerd"}) != 0) GTEST_SKIP() << "no dockerd";
    const fs::path d = work_.path() / "dk";
    fs::create_directories(d);
    // dockerd reads registry CAs only from /etc/docker/certs.d/<host:port>/: one directory for
    // this test's ephemeral port, removed afterwards.
    docker_certs_ = fs::path("/etc/docker/certs.d") / registry_host_;
    WriteFile(docker_certs_ / "ca.crt", ReadFile(work_.path() / "pki/ca.pem"));
    dockerd_ = std::make_unique<Daemon>(
        std::vector<std::string>{"dockerd", "--data-root", (d / "data").string(), "--exec-root",
                                 (d / "exec").string(), "--pidfile", (d / "pid").string(), "--host",
                                 "unix://" + (d / "sock").string(), "--containerd",
                                 (work_.path() / "ctd/sock").string(), "--iptables=false",
                                 "--ip6tables=false", "--bridge=none"},
        work_.path() / "dockerd.log");
    ::setenv("DOCKER_HOST", ("unix://" + (d / "sock").string()).c_str(), 1);
    ASSERT_TRUE(WaitReady(*dockerd_, {"docker", "info"})) << ReadFile(work_.path() / "dockerd.log");
  }
  void TearDown() override {
    dockerd_.reset();
    std::error_code ec;
    if (!docker_certs_.empty()) fs::remove_all(docker_certs_, ec);
    ::unsetenv("DOCKER_HOST");
    ContainerUpgradeTest::TearDown();
  }
  std::string Containers() { return MustRun({"docker", "ps", "--all", "--quiet"}); }

  fs::path docker_certs_;
  std::unique_ptr<Daemon> dockerd_;
};

TEST_F(DockerUpgradeTest, R4_5_DockerStreamsOsTarIntoTheStandbyAndRemovesItsContainer) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kDocker, Ref("kubeos/os:v2"), os_digest_), *ctx_);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  ExpectStandbyIsTheTreeAndArmed();
  EXPECT_TRUE(Ran(runner_, "docker", "create"));
  EXPECT_TRUE(Ran(runner_, "docker", "rm"));
  EXPECT_EQ(Containers(), "");
}

TEST_F(DockerUpgradeTest, R4_4_DockerWithAWrongDigestIsRefusedBeforeAContainerIsCreated) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kDocker, Ref("kubeos/os:v2"), empty_digest_), *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kChecksumMismatch);
  EXPECT_FALSE(Ran(runner_, "docker", "create"));
}

TEST_F(DockerUpgradeTest, R4_5_DockerWithoutOsTarIsRefusedAndTheContainerRemoved) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kDocker, Ref("kubeos/no-os-tar:v1"), empty_digest_), *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kInvalidImage);
  EXPECT_TRUE(Ran(runner_, "docker", "rm"));
  EXPECT_EQ(Containers(), "");
}

TEST_F(DockerUpgradeTest, R4_5_DockerWithAnUnknownImageIsAPullFailure) {
  const auto outcome = core::upgrade::RunUpgrade(
      *deps_, Request(core::ImageType::kDocker, Ref("kubeos/missing:v9"), os_digest_), *ctx_);
  ExpectRefusedUntouched(outcome, Errc::kImagePull);
}

}  // namespace
}  // namespace kubeos::testing
