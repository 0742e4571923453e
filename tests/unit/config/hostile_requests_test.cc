// SPDX-License-Identifier: MulanPSL-2.0
// Hostile and malformed requests across all models: each is refused with a message naming the
// entry and the reason, and no file's bytes or mode change.
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "core/config/apply.h"
#include "fakes/fake_file_system.h"

namespace kubeos::core::config {
namespace {

using kubeos::testing::FakeFileSystem;
using testing::TestData;

struct Hostile {
  std::string name;
  std::string request;  // JSON
  std::string reason;   // a part of the expected message
};

void PrintTo(const Hostile& h, std::ostream* os) { *os << h.name; }

// One model config with one entry: {"model":M,"contents":[ENTRY]} (+ extra fields of the config).
std::string One(std::string_view model, std::string_view entry, std::string_view extra = "") {
  return R"({"version":"1","configs":[{"model":")" + std::string(model) + "\"" +
         std::string(extra) + R"(,"contents":[)" + std::string(entry) + "]}]}";
}

std::vector<Hostile> Cases() {
  const std::string at = "configs[0].contents[0]: ";
  return {
      // the request's shape
      {"NotJson", "{", "not valid JSON"},
      {"NotAnObject", "[]", "must be a JSON object"},
      {"VersionNotAString", R"({"version":1,"configs":[]})", "version: must be a string"},
      {"VersionWithNewline", R"({"version":"1\n2","configs":[]})",
       "version: must not contain control"},
      {"UnknownTopLevelField", R"({"versions":"1","configs":[]})", "versions: unknown field"},
      {"ConfigsNotAList", R"({"configs":{}})", "configs: must be a list"},
      {"ConfigNotAnObject", R"({"configs":[1]})", "configs[0]: must be an object"},
      {"UnknownModel", One("kernel.sysctl2", R"({"key":"a","value":"1"})"),
       "unknown model \"kernel.sysctl2\""},
      {"MisspelledKubeletModel", One("kuberntes.kubelet", R"({"key":"a","value":"1"})"),
       "unknown model"},
      {"ModelNotAString", R"({"configs":[{"model":5,"contents":[]}]})", "model must be a string"},
      {"ModelMissing", R"({"configs":[{"contents":[]}]})", "model is missing"},
      {"ContentsNotAList", R"({"configs":[{"model":"pam.limits","contents":"x"}]})",
       "contents must be a list"},
      {"ContentNotAnObject", One("kernel.sysctl", "\"a=1\""), at + "must be an object"},
      {"UnknownEntryField",
       One("kernel.sysctl.persist", R"({"key":"a.b","value":"1","opration":"delete"})"),
       "unknown field \"opration\""},
      {"UnknownOperation",
       One("kernel.sysctl.persist", R"({"key":"a.b","value":"1","operation":"remove"})"),
       at + "unknown operation \"remove\""},
      {"OperationNotAString", One("grub.cmdline.next", R"({"key":"quiet","operation":true})"),
       "operation must be a string"},
      {"EmptyKey", One("kernel.sysctl", R"({"key":"","value":"1"})"), at + "key must not be empty"},
      {"MissingKey", One("kernel.sysctl", R"({"value":"1"})"), at + "key must not be empty"},
      {"KeyWithEquals", One("kernel.sysctl.persist", R"({"key":"a=b","value":"1"})"),
       at + "key must not contain '='"},
      {"KeyNotAString", One("kernel.sysctl", R"({"key":12,"value":"1"})"),
       "key must be a string, not a number"},
      {"NewlineInKey", One("pam.limits", R"({"key":"a\nb","value":"hard.nofile.1"})"),
       "key must not contain newlines"},
      {"DuplicateKey",
       R"({"configs":[{"model":"kernel.sysctl.persist","contents":[{"key":"a.b","value":"1"},{"key":"a.b","value":"2"}]}]})",
       "appears twice"},
      // kernel.sysctl / kernel.sysctl.persist
      {"SysctlNewlineInjection",
       One("kernel.sysctl.persist",
           R"({"key":"kernel.sysrq","value":"1\nkernel.core_pattern=|/tmp/x"})"),
       "must not contain newlines"},
      {"SysctlObjectValue", One("kernel.sysctl", R"({"key":"vm.swappiness","value":{"a":1}})"),
       "not an object"},
      {"SysctlListValue", One("kernel.sysctl", R"({"key":"vm.swappiness","value":[1]})"),
       "not a list"},
      {"SysctlSlashKey", One("kernel.sysctl", R"({"key":"net/ipv4/ip_forward","value":"1"})"),
       "not '/'"},
      {"SysctlDotDotKey", One("kernel.sysctl", R"({"key":"net..ipv4","value":"1"})"),
       "empty segment"},
      {"SysctlEscapeKey",
       One("kernel.sysctl", R"({"key":"..fs.binfmt_misc.register","value":"1"})"), "empty segment"},
      {"SysctlLeadingDot", One("kernel.sysctl.persist", R"({"key":".net","value":"1"})"),
       "empty segment"},
      {"SysctlSpaceInKey", One("kernel.sysctl.persist", R"({"key":"net ipv4","value":"1"})"),
       "must not contain a space"},
      // found by fuzz_sysctl_editor: "-k=v" in sysctl.conf is key k (errors ignored), so the
      // appended line was not found again and a second apply appended it once more
      {"SysctlIgnoreErrorsPrefix",
       One("kernel.sysctl.persist", R"({"key":"-kernel.sysrq","value":"0"})"),
       "must not start with '-'"},
      {"SysctlCommentKey", One("kernel.sysctl.persist", R"({"key":"#net.x","value":"1"})"),
       "must not contain '#'"},
      {"SysctlMissingValue", One("kernel.sysctl.persist", R"({"key":"a.b"})"), "needs a value"},
      {"SysctlEmptyValue", One("kernel.sysctl", R"({"key":"a.b","value":""})"), "needs a value"},
      {"SysctlDeleteWithoutValue",
       One("kernel.sysctl.persist", R"({"key":"a.b","operation":"delete"})"),
       "delete needs the configured value"},
      {"SysctlPaddedValue", One("kernel.sysctl.persist", R"({"key":"a.b","value":" 1"})"),
       "must not start or end with a space"},
      // configpath
      {"RelativeConfigPath",
       One("kernel.sysctl.persist", R"({"key":"a.b","value":"1"})",
           R"(,"configpath":"etc/sysctl.conf")"),
       "absolute"},
      {"ConfigPathClimbsOut",
       One("kernel.sysctl.persist", R"({"key":"a.b","value":"1"})",
           R"(,"configpath":"/etc/sysctl.d/../shadow")"),
       "normalised"},
      {"ConfigPathOutsideItsDirectory",
       One("kernel.sysctl.persist", R"({"key":"a.b","value":"1"})",
           R"(,"configpath":"/etc/shadow")"),
       "/etc/sysctl.d/*.conf"},
      {"ConfigPathWithNul",
       One("kubernetes.kubelet", R"({"key":"a","value":"1"})",
           R"(,"configpath":"/var/lib/kubelet/a\u0000.yaml")"),
       "control characters"},
      {"ConfigPathForRuntimeSysctl",
       One("kernel.sysctl", R"({"key":"a.b","value":"1"})", R"(,"configpath":"/etc/sysctl.conf")"),
       "does not take a configpath"},
      {"ConfigPathForGrub",
       One("grub.cmdline.current", R"({"key":"quiet"})", R"(,"configpath":"/boot/grub2/grub.cfg")"),
       "does not take a configpath"},
      {"ConfigPathNotAString",
       One("container.containerd", R"({"key":"a","value":"1"})", R"(,"configpath":7)"),
       "configpath must be a string"},
      {"ContainerdConfigPathElsewhere",
       One("container.containerd", R"({"key":"a","value":"1"})",
           R"(,"configpath":"/etc/systemd/system/x.toml")"),
       ".toml file in /etc/containerd"},
      {"KubeletConfigPathDoubleSlash",
       One("kubernetes.kubelet", R"({"key":"a","value":"1"})",
           R"(,"configpath":"/var/lib//kubelet/config.yaml")"),
       "normalised"},
      // grub.cmdline.*
      {"GrubSpaceInKey", One("grub.cmdline.current", R"({"key":"quiet splash"})"),
       "must not contain a space"},
      {"GrubSpaceInValue",
       One("grub.cmdline.current", R"({"key":"console","value":"tty0 init=/bin/sh"})"),
       "must not contain a space"},
      {"GrubSemicolon", One("grub.cmdline.next", R"({"key":"audit","value":"1;reboot"})"),
       "must not contain ';'"},
      {"GrubDollar", One("grub.cmdline.next", R"({"key":"audit","value":"${kopts}"})"),
       "must not contain '$'"},
      {"GrubBackslash", One("grub.cmdline.next", R"({"key":"audit","value":"1\\"})"),
       "must not contain '\\'"},
      {"GrubBacktick", One("grub.cmdline.next", R"({"key":"audit","value":"`id`"})"),
       "must not contain '`'"},
      {"GrubSingleQuote", One("grub.cmdline.current", R"({"key":"audit","value":"'1'"})"),
       "must not contain '''"},
      {"GrubDoubleQuote", One("grub.cmdline.current", R"({"key":"a\"b"})"),
       "must not contain '\"'"},
      {"GrubBraceClosesEntry", One("grub.cmdline.current", R"({"key":"audit","value":"1}"})"),
       "must not contain '}'"},
      {"GrubBraceInKey", One("grub.cmdline.current", R"({"key":"{x"})"), "must not contain '{'"},
      {"GrubNewline", One("grub.cmdline.current", R"({"key":"quiet","value":"1\nmenuentry x {"})"),
       "must not contain newlines"},
      {"GrubRootArgument", One("grub.cmdline.current", R"({"key":"root","value":"/dev/sda1"})"),
       "selects the slot"},
      {"GrubKernelPathAsKey",
       One("grub.cmdline.current", R"({"key":"/vmlinuz","operation":"delete"})"),
       "must not contain '/'"},
      {"GrubListValue", One("grub.cmdline.current", R"({"key":"quiet","value":["a"]})"),
       "not a list"},
      // kubernetes.kubelet / container.containerd
      {"YamlColonInKey", One("kubernetes.kubelet", R"({"key":"a: b","value":"1"})"), "not allowed"},
      {"YamlHashInKey", One("kubernetes.kubelet", R"({"key":"a#b","value":"1"})"),
       "character '#' not allowed"},
      {"YamlEmptySegment", One("kubernetes.kubelet", R"({"key":"evictionHard..x","value":"1"})"),
       "empty key segment"},
      {"YamlUnclosedQuote",
       One("kubernetes.kubelet", R"({"key":"evictionHard.\"memory.available","value":"1"})"),
       "unclosed quote"},
      {"YamlMissingValue", One("kubernetes.kubelet", R"({"key":"maxPods"})"), "needs a value"},
      {"YamlObjectValue",
       One("kubernetes.kubelet", R"({"key":"evictionHard","value":{"memory.available":"1Gi"}})"),
       "not an object"},
      {"YamlNestedList", One("kubernetes.kubelet", R"({"key":"clusterDNS","value":[["a"]]})"),
       "list items must be"},
      {"YamlNewlineInjection",
       One("kubernetes.kubelet",
           R"({"key":"cgroupDriver","value":"systemd\nauthorization:\n  mode: AlwaysAllow"})"),
       "must not contain newlines"},
      {"YamlNewlineInListItem",
       One("kubernetes.kubelet", R"({"key":"clusterDNS","value":["1.1.1.1\n- 6.6.6.6"]})"),
       "must not contain newlines"},
      {"TomlBracketInKey", One("container.containerd", R"({"key":"plugins]","value":"1"})"),
       "not allowed"},
      {"TomlQuoteInsideSegment",
       One("container.containerd", R"({"key":"plugins.\"a\\\".b\"","value":"1"})"), "not allowed"},
      {"TomlSpaceInKey", One("container.containerd", R"({"key":"a b","value":"1"})"),
       "character ' ' not allowed"},
      {"TomlNewlineInjection",
       One("container.containerd", R"({"key":"version","value":"2\"\n[plugins.evil]\nx = \"1"})"),
       "must not contain newlines"},
      // pam.limits
      {"LimitsSpaceInDomain", One("pam.limits", R"({"key":"* hard","value":"hard.nofile.1"})"),
       "must not contain a space"},
      {"LimitsCommentDomain", One("pam.limits", R"({"key":"#x","value":"hard.nofile.1"})"),
       "must not start with '#'"},
      {"LimitsTwoParts", One("pam.limits", R"({"key":"*","value":"hard.nofile"})"),
       "type.item.value"},
      {"LimitsFourParts", One("pam.limits", R"({"key":"*","value":"hard.nofile.1.2"})"),
       "type.item.value"},
      {"LimitsSpaceInValue",
       One("pam.limits", R"({"key":"*","value":"hard.nofile.1 * soft core"})"),
       "limit value must be"},
      {"LimitsPlaceholder", One("pam.limits", R"({"key":"*","value":"hard._.1"})"),
       "'_' placeholders"},
      {"LimitsUnknownItem", One("pam.limits", R"({"key":"*","value":"hard.files.1"})"),
       "unknown limit item"},
      {"LimitsUnknownType", One("pam.limits", R"({"key":"*","value":"both.nofile.1"})"),
       "soft, hard or -"},
      {"LimitsNumberValue", One("pam.limits", R"({"key":"*","value":5})"), "type.item.value"},
      {"LimitsDeleteWithoutValue", One("pam.limits", R"({"key":"*","operation":"delete"})"),
       "type.item.value"},
  };
}

// A node with every model's file, some with unusual modes and owners.
FakeFileSystem Node() {
  FakeFileSystem fake;
  fake.Put("/etc/sysctl.conf", "# c\nkernel.sysrq = 1\n", 0600, 0, 0);
  fake.Put("/boot/efi/EFI/openEuler/grub.cfg", TestData("grub.cfg"), 0700);
  fake.Put("/var/lib/kubelet/config.yaml", "maxPods: 110 # c\nevictionHard: {}\n", 0640, 0, 5);
  fake.Put("/etc/containerd/config.toml", "version = 2\nproxy = { http = \"x\" }\n");
  fake.Put("/etc/security/limits.conf", "* soft core 0\n");
  fake.Put("/proc/sys/vm/swappiness", "60\n");
  return fake;
}

bool SameFiles(const FakeFileSystem& a, const FakeFileSystem& b) {
  if (a.files().size() != b.files().size()) return false;
  for (const auto& [path, c] : a.files()) {
    auto it = b.files().find(path);
    if (it == b.files().end() || it->second.data != c.data || it->second.mode != c.mode ||
        it->second.uid != c.uid || it->second.gid != c.gid) {
      return false;
    }
  }
  return true;
}

// What the daemon does with a request: parse, then apply what parsed.
Result<ApplyOutcome> ApplyJson(std::string_view json, FakeFileSystem& node) {
  KUBEOS_ASSIGN_OR_RETURN(ConfigRequest request, ParseRequest(json));
  return Apply(request, ApplyContext{}, node);
}

class HostileRequestTest : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileRequestTest, IsRefusedWithAClearMessageAndTouchesNoFile) {
  const Hostile& h = GetParam();
  FakeFileSystem before = Node();
  FakeFileSystem node = Node();
  auto outcome = ApplyJson(h.request, node);
  ASSERT_FALSE(outcome) << "accepted: " << h.request;
  EXPECT_EQ(outcome.error().code, Errc::kConfigRejected);
  EXPECT_NE(outcome.error().message.find(h.reason), std::string::npos)
      << "message: " << outcome.error().message << "\nwanted: " << h.reason;
  EXPECT_EQ(node.writes(), 0);
  EXPECT_TRUE(SameFiles(before, node));
}

INSTANTIATE_TEST_SUITE_P(Table,
                         HostileRequestTest,
                         ::testing::ValuesIn(Cases()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(HostileRequestTable, HasAtLeastFortyCasesCoveringEveryModel) {
  auto cases = Cases();
  EXPECT_GE(cases.size(), 40u);
  for (std::string_view model :
       {"\"kernel.sysctl\"", "kernel.sysctl.persist", "grub.cmdline.current", "grub.cmdline.next",
        "kubernetes.kubelet", "container.containerd", "pam.limits"}) {
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(), [&](const Hostile& h) {
      return h.request.find(model) != std::string::npos;
    })) << model;
  }
}

// Requests that parse but cannot be applied to this node's files: refused at the compute step.
struct Unappliable {
  std::string name;
  std::string request;
  std::string reason;
};

void PrintTo(const Unappliable& u, std::ostream* os) { *os << u.name; }

class UnappliableRequestTest : public ::testing::TestWithParam<Unappliable> {};

TEST_P(UnappliableRequestTest, IsRefusedBeforeAnyWriteAndTouchesNoFile) {
  const Unappliable& u = GetParam();
  ASSERT_TRUE(ParseRequest(u.request));
  FakeFileSystem before = Node();
  FakeFileSystem node = Node();
  auto outcome = ApplyJson(u.request, node);
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find(u.reason), std::string::npos) << outcome.error().message;
  EXPECT_EQ(node.writes(), 0);
  EXPECT_TRUE(SameFiles(before, node));
}

INSTANTIATE_TEST_SUITE_P(
    Table,
    UnappliableRequestTest,
    ::testing::Values(
        Unappliable{"UnknownRuntimeSysctl",
                    One("kernel.sysctl", R"({"key":"vm.nope","value":"1"})"),
                    "unknown sysctl vm.nope"},
        Unappliable{
            "GrubKeyValueToBareFlagInOneStep",
            R"({"configs":[{"model":"grub.cmdline.current","contents":[{"key":"console"}]}]})",
            "delete it first"},
        Unappliable{"KubeletFlowParent",
                    One("kubernetes.kubelet",
                        R"({"key":"evictionHard.\"memory.available\"","value":"1Gi"})"),
                    "flow style"},
        Unappliable{"KubeletScalarParent",
                    One("kubernetes.kubelet", R"({"key":"maxPods.x","value":1})"),
                    "maxPods is not a mapping"},
        Unappliable{"ContainerdInlineTable",
                    One("container.containerd", R"({"key":"proxy.https","value":"y"})"),
                    "inline table"},
        Unappliable{"ContainerdTableAsValue",
                    One("container.containerd", R"({"key":"proxy","value":"y"})"), "is a table"}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace kubeos::core::config
