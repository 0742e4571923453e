// SPDX-License-Identifier: MulanPSL-2.0
// The pure editors, one model at a time: file text in, file text and changes out.
#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include "config_test_util.h"
#include "core/config/grub_editor.h"
#include "core/config/key_path.h"
#include "core/config/limits_editor.h"
#include "core/config/sysctl_editor.h"
#include "core/config/toml_editor.h"
#include "core/config/yaml_editor.h"

namespace kubeos::core::config {
namespace {

using testing::Entries;
using testing::TestData;

// Applies |contents| twice with |edit|: the first result must be |want|, the second a no-op.
template <typename EditFn>
void ExpectEdit(EditFn edit,
                std::string_view before,
                std::string_view contents,
                std::string_view want,
                std::string_view model) {
  auto entries = Entries(model, contents);
  auto first = edit(before, entries);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->text, want);
  auto second = edit(first->text, entries);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->text, first->text);
  EXPECT_TRUE(second->changes.empty());
}

// ---- kernel.sysctl.persist ----------------------------------------------------------------

constexpr std::string_view kSysctlConf =
    "# sysctl settings are defined through files in /usr/lib/sysctl.d/\n"
    "; old-style comment\n"
    "\n"
    "net.ipv4.ip_forward = 0\n"
    "  kernel.sysrq=1   \n"
    "-vm.swappiness = 60\n"
    "net/core/somaxconn=128\n";

TEST(SysctlPersistEditor, KeepsCommentsAndUntouchedLinesByteForByte) {
  ExpectEdit(EditSysctlConf, kSysctlConf, R"([{"key":"net.ipv4.ip_forward","value":1}])",
             "# sysctl settings are defined through files in /usr/lib/sysctl.d/\n"
             "; old-style comment\n"
             "\n"
             "net.ipv4.ip_forward = 1\n"
             "  kernel.sysrq=1   \n"
             "-vm.swappiness = 60\n"
             "net/core/somaxconn=128\n",
             "kernel.sysctl.persist");
}

TEST(SysctlPersistEditor, AppendsNewKeysAtTheEndEvenWithoutAFinalNewline) {
  ExpectEdit(EditSysctlConf, "a.b=1", R"([{"key":"kernel.pid_max","value":"4194304"}])",
             "a.b=1\nkernel.pid_max=4194304\n", "kernel.sysctl.persist");
}

TEST(SysctlPersistEditor, UnderstandsSlashKeysAndIgnoreErrorPrefixesInTheFile) {
  ExpectEdit(
      EditSysctlConf, kSysctlConf,
      R"([{"key":"net.core.somaxconn","value":"1024"},{"key":"vm.swappiness","value":"10"}])",
      "# sysctl settings are defined through files in /usr/lib/sysctl.d/\n"
      "; old-style comment\n"
      "\n"
      "net.ipv4.ip_forward = 0\n"
      "  kernel.sysrq=1   \n"
      "-vm.swappiness = 10\n"
      "net/core/somaxconn=1024\n",
      "kernel.sysctl.persist");
}

TEST(SysctlPersistEditor, UpdatesTheLastOfDuplicateLinesBecauseSysctlHonoursIt) {
  ExpectEdit(EditSysctlConf, "k.a=1\nk.a=2\n", R"([{"key":"k.a","value":"3"}])", "k.a=1\nk.a=3\n",
             "kernel.sysctl.persist");
}

TEST(SysctlPersistEditor, DeletesOnlyOnExactKeyAndValueMatch) {
  auto mismatch = EditSysctlConf(
      kSysctlConf, Entries("kernel.sysctl.persist",
                           R"([{"key":"net.ipv4.ip_forward","value":"1","operation":"delete"}])"));
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->text, kSysctlConf);
  EXPECT_TRUE(mismatch->changes.empty());

  auto match = EditSysctlConf(
      kSysctlConf, Entries("kernel.sysctl.persist",
                           R"([{"key":"kernel.sysrq","value":"1","operation":"delete"}])"));
  ASSERT_TRUE(match);
  EXPECT_EQ(match->text.find("sysrq"), std::string::npos);
  ASSERT_EQ(match->changes.size(), 1u);
  EXPECT_EQ(match->changes[0].old_value, "1");
  EXPECT_EQ(match->changes[0].new_value, std::nullopt);
}

TEST(SysctlPersistEditor, NamesTheProcSysFileOfAKey) {
  EXPECT_EQ(SysctlProcPath("/proc/sys", "net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward");
  EXPECT_TRUE(SysctlValueEquals("32768\t60999\n", "32768 60999"));
  EXPECT_FALSE(SysctlValueEquals("1\n", "0"));
}

// ---- grub.cmdline.* -----------------------------------------------------------------------

TEST(GrubEditor, EditsOnlyTheLinuxLineOfTheRequestedEntry) {
  std::string cfg = TestData("grub.cfg");
  auto entries =
      Entries("grub.cmdline.current", R"([{"key":"quiet"},{"key":"audit","value":"1"}])");
  auto a = EditGrubCmdline(cfg, "A", entries);
  ASSERT_TRUE(a) << a.error().message;
  std::string want = cfg;
  std::string line_a = "linux /vmlinuz root=PARTLABEL=ROOT-A rw console=ttyS0,115200 ${kopts}";
  want.replace(want.find(line_a), line_a.size(), line_a + " quiet audit=1");
  EXPECT_EQ(a->text, want);

  auto b = EditGrubCmdline(cfg, "B", entries);
  ASSERT_TRUE(b);
  EXPECT_NE(b->text.find("ROOT-B rw console=ttyS0,115200 ${kopts} quiet audit=1\n"),
            std::string::npos);
  EXPECT_NE(b->text.find(line_a + "\n"), std::string::npos);
}

constexpr std::string_view kMenu =
    "menuentry 'A' --id A {\n"
    "        linux   /boot/vmlinuz root=UUID=1234 ro  rd.info=0 quiet crashkernel=256M\n"
    "}\n"
    "menuentry \"B\" {\n"
    "\tlinux /boot/vmlinuz root=UUID=5678 ro\n"
    "}\n";

TEST(GrubEditor, KeepsSpacingOfUntouchedArgumentsAndRemovesDeletedOnesWithTheirBlank) {
  ExpectEdit(
      [](auto t, auto e) { return EditGrubCmdline(t, "A", e); }, kMenu,
      R"([{"key":"rd.info","value":"0","operation":"delete"},{"key":"quiet","operation":"delete"}])",
      "menuentry 'A' --id A {\n"
      "        linux   /boot/vmlinuz root=UUID=1234 ro crashkernel=256M\n"
      "}\n"
      "menuentry \"B\" {\n"
      "\tlinux /boot/vmlinuz root=UUID=5678 ro\n"
      "}\n",
      "grub.cmdline.current");
}

TEST(GrubEditor, DeleteNeedsTheConfiguredValue) {
  for (std::string_view contents : {R"([{"key":"rd.info","value":"1","operation":"delete"}])",
                                    R"([{"key":"rd.info","operation":"delete"}])"}) {
    auto r = EditGrubCmdline(kMenu, "A", Entries("grub.cmdline.current", contents));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->text, kMenu);
  }
}

TEST(GrubEditor, BareFlagGainsAValueAndValueIsReplacedInPlace) {
  ExpectEdit([](auto t, auto e) { return EditGrubCmdline(t, "A", e); }, kMenu,
             R"([{"key":"quiet","value":"1"},{"key":"crashkernel","value":"512M"},{"key":"ro"}])",
             "menuentry 'A' --id A {\n"
             "        linux   /boot/vmlinuz root=UUID=1234 ro  rd.info=0 quiet=1 crashkernel=512M\n"
             "}\n"
             "menuentry \"B\" {\n"
             "\tlinux /boot/vmlinuz root=UUID=5678 ro\n"
             "}\n",
             "grub.cmdline.current");
}

TEST(GrubEditor, RefusesTurningKeyValueIntoABareFlagInOneStep) {
  auto r = EditGrubCmdline(kMenu, "A", Entries("grub.cmdline.current", R"([{"key":"rd.info"}])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kConfigRejected);
  EXPECT_NE(r.error().message.find("delete it first"), std::string::npos);
}

TEST(GrubEditor, FindsEntriesByDoubleQuotedTitleToo) {
  auto r = EditGrubCmdline(kMenu, "B", Entries("grub.cmdline.next", R"([{"key":"nosmt"}])"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->text.find("\tlinux /boot/vmlinuz root=UUID=5678 ro nosmt\n"), std::string::npos);
}

TEST(GrubEditor, MissingEntryIsABootloaderError) {
  auto r = EditGrubCmdline("menuentry 'other' {\n linux /v a\n}\n", "A",
                           Entries("grub.cmdline.current", R"([{"key":"quiet"}])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kBootloader);
}

// Found by fuzz_grub_editor: with no kernel path, an added argument took its place and the next
// apply added it again.
TEST(GrubEditor, LinuxLineWithoutAKernelIsABootloaderError) {
  auto r = EditGrubCmdline("menuentry 'A' --id A {\n  linux \n}\n", "A",
                           Entries("grub.cmdline.current", R"([{"key":"quiet"}])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kBootloader);
  EXPECT_NE(r.error().message.find("names no kernel"), std::string::npos) << r.error().message;
}

// ---- kubernetes.kubelet -------------------------------------------------------------------

constexpr std::string_view kKubelet =
    "# kubelet configuration, managed by kubeadm\n"
    "apiVersion: kubelet.config.k8s.io/v1beta1\n"
    "kind: KubeletConfiguration\n"
    "authentication:\n"
    "  anonymous:\n"
    "    enabled: false   # never\n"
    "  x509:\n"
    "    clientCAFile: /etc/kubernetes/pki/ca.crt\n"
    "cgroupDriver: systemd # must match containerd\n"
    "clusterDNS:\n"
    "- 10.96.0.10\n"
    "evictionHard:\n"
    "  memory.available: \"100Mi\"\n"
    "  nodefs.available: 10%\n"
    "\n"
    "# tuning\n"
    "maxPods: 110\n";

TEST(KubeletEditor, ReplacesAScalarWhereItStandsKeepingTheLinesComment) {
  ExpectEdit(EditKubeletYaml, kKubelet,
             R"([{"key":"cgroupDriver","value":"cgroupfs"},{"key":"maxPods","value":200},
                 {"key":"authentication.anonymous.enabled","value":true}])",
             "# kubelet configuration, managed by kubeadm\n"
             "apiVersion: kubelet.config.k8s.io/v1beta1\n"
             "kind: KubeletConfiguration\n"
             "authentication:\n"
             "  anonymous:\n"
             "    enabled: true   # never\n"
             "  x509:\n"
             "    clientCAFile: /etc/kubernetes/pki/ca.crt\n"
             "cgroupDriver: cgroupfs # must match containerd\n"
             "clusterDNS:\n"
             "- 10.96.0.10\n"
             "evictionHard:\n"
             "  memory.available: \"100Mi\"\n"
             "  nodefs.available: 10%\n"
             "\n"
             "# tuning\n"
             "maxPods: 200\n",
             "kubernetes.kubelet");
}

TEST(KubeletEditor, InsertsQuotedSegmentsAtTheEndOfTheirParent) {
  ExpectEdit(EditKubeletYaml, kKubelet,
             R"([{"key":"evictionHard.\"imagefs.available\"","value":"15%"},
                 {"key":"evictionHard.\"memory.available\"","value":"200Mi"}])",
             "# kubelet configuration, managed by kubeadm\n"
             "apiVersion: kubelet.config.k8s.io/v1beta1\n"
             "kind: KubeletConfiguration\n"
             "authentication:\n"
             "  anonymous:\n"
             "    enabled: false   # never\n"
             "  x509:\n"
             "    clientCAFile: /etc/kubernetes/pki/ca.crt\n"
             "cgroupDriver: systemd # must match containerd\n"
             "clusterDNS:\n"
             "- 10.96.0.10\n"
             "evictionHard:\n"
             "  memory.available: 200Mi\n"
             "  nodefs.available: 10%\n"
             "  imagefs.available: 15%\n"
             "\n"
             "# tuning\n"
             "maxPods: 110\n",
             "kubernetes.kubelet");
}

TEST(KubeletEditor, KeepsJsonTypesAndCreatesMissingParents) {
  auto r = EditKubeletYaml(
      kKubelet,
      Entries(
          "kubernetes.kubelet",
          R"([{"key":"kubeReserved.cpu","value":"10"},{"key":"serializeImagePulls","value":false},
          {"key":"podPidsLimit","value":4096},{"key":"clusterDNS","value":["10.96.0.10","1.1.1.1"]},
          {"key":"featureGates.\"Some.Gate\"","value":"yes"}])"));
  ASSERT_TRUE(r) << r.error().message;
  YAML::Node doc = YAML::Load(r->text);
  EXPECT_EQ(doc["kubeReserved"]["cpu"].Tag(), "!");  // quoted: stays the string "10"
  EXPECT_EQ(doc["kubeReserved"]["cpu"].as<std::string>(), "10");
  EXPECT_FALSE(doc["serializeImagePulls"].as<bool>());
  EXPECT_EQ(doc["podPidsLimit"].as<int>(), 4096);
  ASSERT_EQ(doc["clusterDNS"].size(), 2u);  // replaced, not appended
  EXPECT_EQ(doc["featureGates"]["Some.Gate"].as<std::string>(), "yes");
  EXPECT_EQ(doc["featureGates"]["Some.Gate"].Tag(), "!");
  EXPECT_NE(r->text.find("clusterDNS: [\"10.96.0.10\", \"1.1.1.1\"]\n"), std::string::npos);
  EXPECT_NE(r->text.find("kubeReserved:\n  cpu: \"10\"\n"), std::string::npos);
  EXPECT_EQ(r->text.substr(0, 200), std::string(kKubelet).substr(0, 200));
}

TEST(KubeletEditor, DeleteRemovesTheKeysLinesAndNeedsAMatchingValueWhenGiven) {
  auto keep = EditKubeletYaml(
      kKubelet,
      Entries("kubernetes.kubelet", R"([{"key":"maxPods","value":100,"operation":"delete"}])"));
  ASSERT_TRUE(keep);
  EXPECT_EQ(keep->text, kKubelet);
  ExpectEdit(
      EditKubeletYaml, kKubelet,
      R"([{"key":"authentication.x509","operation":"delete"},{"key":"clusterDNS","operation":"delete"},
                 {"key":"maxPods","value":110,"operation":"delete"}])",
      "# kubelet configuration, managed by kubeadm\n"
      "apiVersion: kubelet.config.k8s.io/v1beta1\n"
      "kind: KubeletConfiguration\n"
      "authentication:\n"
      "  anonymous:\n"
      "    enabled: false   # never\n"
      "cgroupDriver: systemd # must match containerd\n"
      "evictionHard:\n"
      "  memory.available: \"100Mi\"\n"
      "  nodefs.available: 10%\n"
      "\n"
      "# tuning\n",
      "kubernetes.kubelet");
}

TEST(KubeletEditor, DeleteOfAKeyUnderAMissingParentTouchesNothing) {
  // Upstream's walker deleted the top-level `maxPods` here.
  auto r = EditKubeletYaml(
      kKubelet,
      Entries("kubernetes.kubelet", R"([{"key":"missing.maxPods","operation":"delete"}])"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->text, kKubelet);
}

TEST(KubeletEditor, RefusesParentsInFlowStyleInsteadOfLosingComments) {
  auto r =
      EditKubeletYaml("# c\nevictionHard: {}\n",
                      Entries("kubernetes.kubelet",
                              R"([{"key":"evictionHard.\"memory.available\"","value":"1Gi"}])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kConfigRejected);
  EXPECT_NE(r.error().message.find("flow style"), std::string::npos);
}

// Found by fuzz_yaml_editor: yaml-cpp's LoadAll never returned on a ',' outside a flow
// collection. Such files, and files of several documents, are refused.
TEST(KubeletEditor, RefusesStrayCommasAndSeveralDocumentsWithoutHanging) {
  for (const char* text : {", x\nmaxPods: 1\n", "[a, b], c\n", "a: 1\n---\nb: 2\n"}) {
    auto r = EditKubeletYaml(text, Entries("kubernetes.kubelet", R"([{"key":"a","value":1}])"));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, Errc::kConfigRejected) << text;
    EXPECT_NE(r.error().message.find("several YAML documents"), std::string::npos)
        << r.error().message;
  }
}

TEST(KubeletEditor, FillsAnEmptyFileAndAnEmptyParent) {
  ExpectEdit(EditKubeletYaml, "", R"([{"key":"a.b","value":1}])", "a:\n  b: 1\n",
             "kubernetes.kubelet");
  ExpectEdit(EditKubeletYaml, "a:\nz: 2\n", R"([{"key":"a.b","value":1}])", "a:\n  b: 1\nz: 2\n",
             "kubernetes.kubelet");
}

TEST(KubeletEditor, ReplacesMultiLineValuesByOneLine) {
  ExpectEdit(EditKubeletYaml, "tlsCipherSuites:\n  - A\n  - B\nx: |\n  text\n  more\ny: 1\n",
             R"([{"key":"tlsCipherSuites","value":["C"]},{"key":"x","value":"short"}])",
             "tlsCipherSuites: [C]\nx: short\ny: 1\n", "kubernetes.kubelet");
}

// ---- container.containerd -----------------------------------------------------------------

constexpr std::string_view kContainerd =
    "# containerd config, see containerd-config.toml(5)\n"
    "version = 2\n"
    "root = \"/var/lib/containerd\"\n"
    "\n"
    "[plugins]\n"
    "  [plugins.\"io.containerd.grpc.v1.cri\"]\n"
    "    sandbox_image = \"k8s.gcr.io/pause:3.6\" # pinned\n"
    "    max_concurrent_downloads = 3\n"
    "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
    "      SystemdCgroup = false\n"
    "  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
    "    endpoint = [\n"
    "      \"https://registry-1.docker.io\", # upstream\n"
    "    ]\n"
    "\n"
    "[debug]\n"
    "  level = \"info\"\n";

TEST(ContainerdEditor, ReplacesValuesWhereTheyStand) {
  ExpectEdit(
      EditContainerdToml, kContainerd,
      R"([{"key":"plugins.\"io.containerd.grpc.v1.cri\".sandbox_image","value":"registry.local/pause:3.9"},
                 {"key":"plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options.SystemdCgroup","value":true},
                 {"key":"plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\".endpoint","value":["https://mirror.local"]}])",
      "# containerd config, see containerd-config.toml(5)\n"
      "version = 2\n"
      "root = \"/var/lib/containerd\"\n"
      "\n"
      "[plugins]\n"
      "  [plugins.\"io.containerd.grpc.v1.cri\"]\n"
      "    sandbox_image = \"registry.local/pause:3.9\" # pinned\n"
      "    max_concurrent_downloads = 3\n"
      "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
      "      SystemdCgroup = true\n"
      "  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
      "    endpoint = [\"https://mirror.local\"]\n"
      "\n"
      "[debug]\n"
      "  level = \"info\"\n",
      "container.containerd");
}

TEST(ContainerdEditor, AddsKeysToTheDeepestTableWithAHeaderOrANewSection) {
  ExpectEdit(EditContainerdToml, kContainerd,
             R"([{"key":"plugins.\"io.containerd.grpc.v1.cri\".enable_selinux","value":false},
                 {"key":"debug.format","value":"json"},
                 {"key":"oom_score","value":-999},
                 {"key":"metrics.address","value":"127.0.0.1:1338"}])",
             "# containerd config, see containerd-config.toml(5)\n"
             "version = 2\n"
             "root = \"/var/lib/containerd\"\n"
             "oom_score = -999\n"
             "\n"
             "[plugins]\n"
             "  [plugins.\"io.containerd.grpc.v1.cri\"]\n"
             "    sandbox_image = \"k8s.gcr.io/pause:3.6\" # pinned\n"
             "    max_concurrent_downloads = 3\n"
             "    enable_selinux = false\n"
             "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
             "      SystemdCgroup = false\n"
             "  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
             "    endpoint = [\n"
             "      \"https://registry-1.docker.io\", # upstream\n"
             "    ]\n"
             "\n"
             "[debug]\n"
             "  level = \"info\"\n"
             "  format = \"json\"\n"
             "\n"
             "[metrics]\n"
             "address = \"127.0.0.1:1338\"\n",
             "container.containerd");
}

TEST(ContainerdEditor, DeletesKeyLinesAndNeedsAMatchingValueWhenGiven) {
  ExpectEdit(
      EditContainerdToml, kContainerd,
      R"([{"key":"plugins.\"io.containerd.grpc.v1.cri\".max_concurrent_downloads","value":3,"operation":"delete"},
                 {"key":"root","value":"/elsewhere","operation":"delete"},
                 {"key":"plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\".endpoint","operation":"delete"}])",
      "# containerd config, see containerd-config.toml(5)\n"
      "version = 2\n"
      "root = \"/var/lib/containerd\"\n"
      "\n"
      "[plugins]\n"
      "  [plugins.\"io.containerd.grpc.v1.cri\"]\n"
      "    sandbox_image = \"k8s.gcr.io/pause:3.6\" # pinned\n"
      "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
      "      SystemdCgroup = false\n"
      "  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
      "\n"
      "[debug]\n"
      "  level = \"info\"\n",
      "container.containerd");
}

TEST(ContainerdEditor, KeepsIntegersFloatsAndStringsApart) {
  auto r = EditContainerdToml(
      "",
      Entries(
          "container.containerd",
          R"([{"key":"a.int","value":3},{"key":"a.float","value":1.5},{"key":"a.str","value":"3"}])"));
  ASSERT_TRUE(r) << r.error().message;
  toml::table t = toml::parse(r->text);
  EXPECT_TRUE(t["a"]["int"].is_integer());
  EXPECT_TRUE(t["a"]["float"].is_floating_point());
  EXPECT_TRUE(t["a"]["str"].is_string());
  EXPECT_EQ(r->text, "[a]\nint = 3\nfloat = 1.5\nstr = \"3\"\n");
}

TEST(ContainerdEditor, RefusesInlineTablesInsteadOfRewritingThem) {
  auto r = EditContainerdToml("a = { b = 1 }\n",
                              Entries("container.containerd", R"([{"key":"a.c","value":2}])"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("inline table"), std::string::npos);
}

// ---- pam.limits ---------------------------------------------------------------------------

constexpr std::string_view kLimits =
    "# /etc/security/limits.conf\n"
    "#<domain>      <type>  <item>         <value>\n"
    "*               soft    core            0\n"
    "*\thard\tnofile\t4096\n"
    "@student        -       maxlogins       4\n";

TEST(LimitsEditor, AddressesLinesByDomainTypeAndItemKeepingTheirSpacing) {
  ExpectEdit(EditLimitsConf, kLimits,
             R"([{"key":"*","value":"hard.nofile.65535"},{"key":"*","value":"soft.nofile.1024"},
                 {"key":"@student","value":"-.maxlogins.4"}])",
             "# /etc/security/limits.conf\n"
             "#<domain>      <type>  <item>         <value>\n"
             "*               soft    core            0\n"
             "*\thard\tnofile\t65535\n"
             "@student        -       maxlogins       4\n"
             "* soft nofile 1024\n",
             "pam.limits");
}

TEST(LimitsEditor, DeletesOnlyWhenAllFourFieldsMatch) {
  ExpectEdit(EditLimitsConf, kLimits,
             R"([{"key":"*","value":"soft.core.1","operation":"delete"},
                 {"key":"@student","value":"-.maxlogins.4","operation":"delete"}])",
             "# /etc/security/limits.conf\n"
             "#<domain>      <type>  <item>         <value>\n"
             "*               soft    core            0\n"
             "*\thard\tnofile\t4096\n",
             "pam.limits");
}

TEST(LimitsEditor, ParsesTypeItemValue) {
  auto l = ParseLimit("hard.nofile.unlimited");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->type, "hard");
  EXPECT_EQ(l->item, "nofile");
  EXPECT_EQ(l->value, "unlimited");
  EXPECT_FALSE(ParseLimit("hard._.1"));
  EXPECT_FALSE(ParseLimit("hard.nofile"));
  EXPECT_FALSE(ParseLimit("hard.nofile.1.2"));
  EXPECT_FALSE(ParseLimit("medium.nofile.1"));
}

// ---- key paths ----------------------------------------------------------------------------

TEST(KeyPath, SplitsAtDotsOutsideQuotes) {
  auto p = SplitKeyPath(R"(plugins."io.containerd.grpc.v1.cri".sandbox_image)");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p,
            (std::vector<std::string>{"plugins", "io.containerd.grpc.v1.cri", "sandbox_image"}));
  EXPECT_EQ(JoinKeyPath(*p), R"(plugins."io.containerd.grpc.v1.cri".sandbox_image)");
  for (std::string_view bad : {"", "a.", ".a", "a..b", "\"a", "a\"b\"", "\"a\"b", "a b", "a:b",
                               "a#b", "\"a\\\"\"", "a.''", "\"\""}) {
    EXPECT_FALSE(SplitKeyPath(bad)) << bad;
  }
}

}  // namespace
}  // namespace kubeos::core::config
