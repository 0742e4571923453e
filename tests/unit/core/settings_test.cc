// SPDX-License-Identifier: MulanPSL-2.0
#include "core/settings.h"

#include <gtest/gtest.h>

#include "core/os_release.h"

namespace kubeos::core {
namespace {

TEST(Settings, EmptyFileMeansDefaults) {
  auto s = ParseSettings("");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state_file, "/persist/kubeos/state.json");
  EXPECT_EQ(s->grubenv, "/boot/efi/EFI/openEuler/grubenv");
  EXPECT_EQ(s->reboot_command, (std::vector<std::string>{"systemctl", "reboot"}));
}

TEST(Settings, ReadsEverySection) {
  auto s = ParseSettings(R"(
[paths]
state-file = "/var/lib/kubeos/state.json"
[disk]
device = "/dev/vda"
booted-slot = "B"
[health]
units = ["kubelet.service", "containerd.service"]
timeout-sec = 60
[reboot]
command = ["/bin/true"]
)");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->state_file, "/var/lib/kubeos/state.json");
  EXPECT_EQ(s->disk, "/dev/vda");
  EXPECT_EQ(s->booted_slot, Slot::kB);
  EXPECT_EQ(s->health_units.size(), 2u);
  EXPECT_EQ(s->health_timeout, std::chrono::seconds(60));
  EXPECT_EQ(s->reboot_command.front(), "/bin/true");
}

TEST(Settings, TyposAndWrongTypesAreErrorsNotDefaults) {
  EXPECT_FALSE(ParseSettings("[paths]\nstatefile = \"/x\"\n"));
  EXPECT_FALSE(ParseSettings("[path]\nstate-file = \"/x\"\n"));
  EXPECT_FALSE(ParseSettings("[paths]\nstate-file = \"relative\"\n"));
  EXPECT_FALSE(ParseSettings("[health]\ntimeout-sec = \"60\"\n"));
  EXPECT_FALSE(ParseSettings("[disk]\nbooted-slot = \"C\"\n"));
  auto broken = ParseSettings("[paths\n");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("line 1"), std::string::npos);
}

TEST(OsRelease, PrettyNameIsUnquotedAndUnescaped) {
  EXPECT_EQ(PrettyNameFromOsRelease("NAME=x\nPRETTY_NAME=\"KubeOS 1.0.2\"\n"), "KubeOS 1.0.2");
  EXPECT_EQ(PrettyNameFromOsRelease("PRETTY_NAME='Single quoted'\n"), "Single quoted");
  EXPECT_EQ(PrettyNameFromOsRelease("PRETTY_NAME=\"say \\\"hi\\\"\"\n"), "say \"hi\"");
  EXPECT_EQ(PrettyNameFromOsRelease("# comment\nNAME=KubeOS\nVERSION_ID=2\n"), "KubeOS 2");
  EXPECT_EQ(PrettyNameFromOsRelease(""), "");
}

}  // namespace
}  // namespace kubeos::core
