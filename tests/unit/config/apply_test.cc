// SPDX-License-Identifier: MulanPSL-2.0
// Apply: all or nothing across files and runtime sysctls, restore on failure, modes, logs.
#include "core/config/apply.h"

#include <gtest/gtest.h>

#include "base/log.h"
#include "config_test_util.h"
#include "fakes/fake_file_system.h"

namespace kubeos::core::config {
namespace {

using kubeos::testing::FakeFileSystem;
using testing::TestData;

constexpr std::string_view kGrub = "/boot/efi/EFI/openEuler/grub.cfg";

// Every model, five files and two runtime values; one file (limits.d) does not exist yet.
constexpr std::string_view kMultiFile = R"({"version":"7","configs":[
  {"model":"kernel.sysctl","contents":[{"key":"vm.swappiness","value":10},{"key":"net.ipv4.ip_forward","value":"1"}]},
  {"model":"kernel.sysctl.persist","contents":[{"key":"vm.swappiness","value":"10"}]},
  {"model":"grub.cmdline.current","contents":[{"key":"quiet"}]},
  {"model":"grub.cmdline.next","contents":[{"key":"audit","value":"1"}]},
  {"model":"kubernetes.kubelet","contents":[{"key":"maxPods","value":200}]},
  {"model":"container.containerd","contents":[{"key":"version","value":3}]},
  {"model":"pam.limits","configpath":"/etc/security/limits.d/90-kubeos.conf","contents":[{"key":"*","value":"hard.nofile.65535"}]}
]})";

FakeFileSystem Node() {
  FakeFileSystem fake;
  fake.Put("/etc/sysctl.conf", "# c\nvm.swappiness = 60\n", 0600, 0, 0);
  fake.Put(std::string(kGrub), TestData("grub.cfg"), 0700);
  fake.Put("/var/lib/kubelet/config.yaml", "maxPods: 110 # c\n", 0640, 7, 8);
  fake.Put("/etc/containerd/config.toml", "version = 2\n");
  fake.Put("/proc/sys/vm/swappiness", "60\n");
  fake.Put("/proc/sys/net/ipv4/ip_forward", "0\n");
  return fake;
}

ConfigRequest Parse(std::string_view json) {
  auto r = ParseRequest(json);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : ConfigRequest{};
}

TEST(Apply, WritesEveryFileAndRuntimeValueAndSaysWhatMustHappenNext) {
  FakeFileSystem node = Node();
  auto outcome = Apply(Parse(kMultiFile), ApplyContext{}, node);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(node.Data("/proc/sys/vm/swappiness"), "10\n");
  EXPECT_EQ(node.Data("/proc/sys/net/ipv4/ip_forward"), "1\n");
  EXPECT_EQ(node.Data("/etc/sysctl.conf"), "# c\nvm.swappiness = 10\n");
  EXPECT_NE(node.Data(std::string(kGrub)).find("ROOT-A rw console=ttyS0,115200 ${kopts} quiet\n"),
            std::string::npos);
  EXPECT_NE(node.Data(std::string(kGrub)).find("ROOT-B rw console=ttyS0,115200 ${kopts} audit=1\n"),
            std::string::npos);
  EXPECT_EQ(node.Data("/var/lib/kubelet/config.yaml"), "maxPods: 200 # c\n");
  EXPECT_EQ(node.Data("/etc/containerd/config.toml"), "version = 3\n");
  EXPECT_EQ(node.Data("/etc/security/limits.d/90-kubeos.conf"), "* hard nofile 65535\n");
  EXPECT_EQ(outcome->actions,
            (std::vector<std::string>{"reboot", "restart kubelet", "restart containerd"}));
  EXPECT_EQ(outcome->changes.size(), 8u);
  // Both grub models share one file, written once; files go first, runtime values last.
  EXPECT_EQ(node.log(),
            (std::vector<std::string>{
                "atomic /etc/sysctl.conf", "atomic " + std::string(kGrub),
                "atomic /var/lib/kubelet/config.yaml", "atomic /etc/containerd/config.toml",
                "atomic /etc/security/limits.d/90-kubeos.conf", "in-place /proc/sys/vm/swappiness",
                "in-place /proc/sys/net/ipv4/ip_forward"}));
}

TEST(Apply, KeepsModeAndOwnerAndCreatesNewFilesRootOwned0644) {
  FakeFileSystem node = Node();
  ASSERT_TRUE(Apply(Parse(kMultiFile), ApplyContext{}, node));
  const auto& files = node.files();
  EXPECT_EQ(files.at("/etc/sysctl.conf").mode, 0600u);
  EXPECT_EQ(files.at(std::string(kGrub)).mode, 0700u);
  EXPECT_EQ(files.at("/var/lib/kubelet/config.yaml").mode, 0640u);
  EXPECT_EQ(files.at("/var/lib/kubelet/config.yaml").uid, 7u);
  EXPECT_EQ(files.at("/var/lib/kubelet/config.yaml").gid, 8u);
  EXPECT_EQ(files.at("/etc/security/limits.d/90-kubeos.conf").mode, 0644u);
  EXPECT_EQ(files.at("/etc/security/limits.d/90-kubeos.conf").uid, 0u);
}

TEST(Apply, GrubCurrentAndNextFollowTheBootedSlot) {
  FakeFileSystem node = Node();
  ApplyContext ctx;
  ctx.booted = Slot::kB;
  ASSERT_TRUE(
      Apply(Parse(R"({"configs":[{"model":"grub.cmdline.current","contents":[{"key":"quiet"}]},
                                          {"model":"grub.cmdline.next","contents":[{"key":"debug"}]}]})"),
            ctx, node));
  EXPECT_NE(node.Data(std::string(kGrub)).find("ROOT-B rw console=ttyS0,115200 ${kopts} quiet\n"),
            std::string::npos);
  EXPECT_NE(node.Data(std::string(kGrub)).find("ROOT-A rw console=ttyS0,115200 ${kopts} debug\n"),
            std::string::npos);
}

TEST(Apply, UsesTheConfiguredDefaultPaths) {
  FakeFileSystem node;
  node.Put("/custom/grub.cfg", TestData("grub.cfg"));
  ApplyContext ctx;
  ctx.grub_cfg = "/custom/grub.cfg";
  ctx.sysctl_conf = "/custom/sysctl.conf";
  ASSERT_TRUE(
      Apply(Parse(R"({"configs":[{"model":"grub.cmdline.current","contents":[{"key":"quiet"}]},
                                          {"model":"kernel.sysctl.persist","contents":[{"key":"a.b","value":1}]}]})"),
            ctx, node));
  EXPECT_NE(node.Data("/custom/grub.cfg").find("quiet"), std::string::npos);
  EXPECT_EQ(node.Data("/custom/sysctl.conf"), "a.b=1\n");
}

TEST(Apply, AMixOfValidAndInvalidEntriesChangesNothingAndListsEveryProblem) {
  std::string json = R"({"configs":[
    {"model":"kernel.sysctl.persist","contents":[{"key":"vm.swappiness","value":"10"},{"key":"a=b","value":"1"}]},
    {"model":"kubernetes.kubelet","contents":[{"key":"maxPods","value":200}]},
    {"model":"grub.cmdline.current","contents":[{"key":"quiet","value":"1;reboot"}]},
    {"model":"no.such.model","contents":[]}]})";
  FakeFileSystem node = Node();
  auto request = ParseRequest(json);
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message,
            "configs[0].contents[1]: key must not contain '='\n"
            "configs[2].contents[0]: kernel argument value must not contain ';'\n"
            "configs[3]: unknown model \"no.such.model\"");
  EXPECT_EQ(node.writes(), 0);
}

TEST(Apply, AFailingEditLaterInTheRequestWritesNothing) {
  FakeFileSystem node = Node();
  FakeFileSystem before = Node();
  auto outcome = Apply(Parse(R"({"configs":[
    {"model":"kernel.sysctl","contents":[{"key":"vm.swappiness","value":10}]},
    {"model":"kernel.sysctl.persist","contents":[{"key":"vm.swappiness","value":"10"}]},
    {"model":"grub.cmdline.current","contents":[{"key":"console"}]}]})"),
                       ApplyContext{}, node);
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("configs[2] (grub.cmdline.current)"), std::string::npos);
  EXPECT_EQ(node.writes(), 0);
  EXPECT_EQ(node.Data("/etc/sysctl.conf"), before.Data("/etc/sysctl.conf"));
}

// Fault injection: whichever write fails, every file and runtime value is entirely old afterwards,
// and a retry then completes the request exactly as an undisturbed run does.
TEST(Apply, AFailureAtAnyWriteStepRestoresEverythingAndARetryCompletes) {
  FakeFileSystem reference = Node();
  ASSERT_TRUE(Apply(Parse(kMultiFile), ApplyContext{}, reference));
  const int steps = reference.writes();
  ASSERT_EQ(steps, 7);
  for (int step = 1; step <= steps; ++step) {
    SCOPED_TRACE("failing write " + std::to_string(step));
    FakeFileSystem node = Node();
    const FakeFileSystem before = Node();
    node.FailWrite(step);
    auto outcome = Apply(Parse(kMultiFile), ApplyContext{}, node);
    ASSERT_FALSE(outcome);
    EXPECT_NE(outcome.error().message.find("injected failure"), std::string::npos);
    ASSERT_EQ(node.files().size(), before.files().size());
    for (const auto& [path, content] : before.files()) {
      EXPECT_EQ(node.Data(path), content.data) << path;
      EXPECT_EQ(node.files().at(path).mode, content.mode) << path;
    }
    EXPECT_FALSE(node.Exists("/etc/security/limits.d/90-kubeos.conf"));

    node.FailWrite(0);
    auto retry = Apply(Parse(kMultiFile), ApplyContext{}, node);
    ASSERT_TRUE(retry) << retry.error().message;
    for (const auto& [path, content] : reference.files())
      EXPECT_EQ(node.Data(path), content.data) << path;
  }
}

TEST(Apply, RestoresRuntimeSysctlsWhenTheKernelRefusesALaterValue) {
  FakeFileSystem node = Node();
  node.RefuseValue("/proc/sys/net/ipv4/ip_forward", "1\n");
  auto outcome = Apply(Parse(kMultiFile), ApplyContext{}, node);
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("write /proc/sys/net/ipv4/ip_forward"), std::string::npos);
  EXPECT_EQ(node.Data("/proc/sys/vm/swappiness"), "60\n");
  EXPECT_EQ(node.Data("/proc/sys/net/ipv4/ip_forward"), "0\n");
  EXPECT_EQ(node.Data("/etc/sysctl.conf"), "# c\nvm.swappiness = 60\n");
  // Written, then restored first; the files after it, newest first.
  EXPECT_EQ(std::count(node.log().begin(), node.log().end(), "in-place /proc/sys/vm/swappiness"),
            2);
  EXPECT_EQ(node.log().back(), "atomic /etc/sysctl.conf");
}

TEST(Apply, ReportsRestoreFailuresInTheError) {
  FakeFileSystem node = Node();
  node.RefuseValue("/proc/sys/net/ipv4/ip_forward", "1\n");
  node.RefuseValue("/etc/sysctl.conf", "# c\nvm.swappiness = 60\n");
  auto outcome = Apply(Parse(kMultiFile), ApplyContext{}, node);
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("restoring /etc/sysctl.conf failed"), std::string::npos);
}

TEST(Apply, RuntimeSysctlDeleteIsSkippedAndEqualValuesAreNotRewritten) {
  FakeFileSystem node = Node();
  node.Put("/proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
  auto outcome = Apply(Parse(R"({"configs":[{"model":"kernel.sysctl","contents":[
      {"key":"vm.swappiness","value":"10","operation":"delete"},
      {"key":"net.ipv4.ip_local_port_range","value":"32768 60999"}]}]})"),
                       ApplyContext{}, node);
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->changes.empty());
  EXPECT_EQ(node.writes(), 0);
}

TEST(Apply, LogsOneJournalLinePerChangedKeyWithoutSecretValues) {
  std::vector<log::Record> records;
  log::SetCaptureForTesting([&](const log::Record& r) { records.push_back(r); });
  FakeFileSystem node = Node();
  auto outcome = Apply(Parse(R"({"configs":[
    {"model":"container.containerd","contents":[
      {"key":"plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"reg.local\".auth.password","value":"hunter2"},
      {"key":"version","value":3}]}]})"),
                       ApplyContext{}, node);
  log::SetCaptureForTesting({});
  ASSERT_TRUE(outcome);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_EQ(r.message_id, log::kMsgConfigChanged);
    EXPECT_EQ(r.message.find("hunter2"), std::string::npos);
    ASSERT_EQ(r.fields.size(), 4u);
    EXPECT_EQ(r.fields[0].key, "MODEL");
    EXPECT_EQ(r.fields[0].value, "container.containerd");
  }
  EXPECT_EQ(records[0].fields[3].value, "<redacted>");
  EXPECT_EQ(records[1].fields[1].value, "version");
  EXPECT_EQ(records[1].fields[2].value, "2");
  EXPECT_EQ(records[1].fields[3].value, "3");
  EXPECT_EQ(outcome->changes[0].new_value, "<redacted>");
  EXPECT_NE(node.Data("/etc/containerd/config.toml").find("password = \"hunter2\""),
            std::string::npos);
}

TEST(Apply, RecognisesSecretLookingKeys) {
  for (std::string_view k : {"auth.password", "bootstrapToken", "tls_key_file", "tlsPrivateKeyFile",
                             "registry.configs.x.auth.identitytoken", "clientSecret", "key"}) {
    EXPECT_TRUE(LooksSecret(k)) << k;
  }
  for (std::string_view k :
       {"kernel.keys.maxkeys", "maxPods", "net.ipv4.ip_forward", "sandbox_image"}) {
    EXPECT_FALSE(LooksSecret(k)) << k;
  }
}

}  // namespace
}  // namespace kubeos::core::config
