// SPDX-License-Identifier: MulanPSL-2.0
// The GRUB environment bootloader against files made and read by GRUB's own grub-editenv.
#include "platform/grubenv_bootloader.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "platform/posix_file_system.h"
#include "support/temp_dir.h"

namespace kubeos::platform {
namespace {

using kubeos::testing::TempDir;

std::string GrubEditenv(const TempDir& dir, const std::string& args) {
  const std::string cmd = "grub-editenv " + (dir.path() / "grubenv").string() + " " + args;
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[256];
  while (p != nullptr && std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  if (p != nullptr) {
    EXPECT_EQ(::pclose(p), 0) << cmd;
  }
  return out;
}

class GrubEnvBootloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v grub-editenv >/dev/null") != 0) GTEST_SKIP() << "no grub-editenv";
    GrubEditenv(dir_, "create");
    GrubEditenv(dir_, "set saved_entry=A kopts=quiet");
  }
  TempDir dir_;
  PosixFileSystem files_{dir_.path().string()};
  GrubEnvBootloader boot_{files_, "/grubenv"};
};

TEST_F(GrubEnvBootloaderTest, ReadsWhatGrubEditenvWrote) {
  auto state = boot_.Read();
  ASSERT_TRUE(state);
  EXPECT_EQ(state->default_slot, core::Slot::kA);
  EXPECT_FALSE(state->next_slot.has_value());
}

TEST_F(GrubEnvBootloaderTest, TrialAndCommitAreWhatGrubReads) {
  ASSERT_TRUE(boot_.ArmTrialBoot(core::Slot::kB));
  EXPECT_EQ(GrubEditenv(dir_, "list"), "saved_entry=A\nkopts=quiet\nnext_entry=B\n");
  ASSERT_TRUE(boot_.Commit(core::Slot::kB));
  EXPECT_EQ(GrubEditenv(dir_, "list"), "saved_entry=B\nkopts=quiet\n");
  ASSERT_TRUE(boot_.ArmTrialBoot(core::Slot::kA));
  ASSERT_TRUE(boot_.DisarmTrialBoot());
  EXPECT_EQ(GrubEditenv(dir_, "list"), "saved_entry=B\nkopts=quiet\n");
}

TEST_F(GrubEnvBootloaderTest, AnEditOnlyChangesTheFirstSector) {
  const std::string before = dir_.Read("grubenv");
  ASSERT_TRUE(boot_.ArmTrialBoot(core::Slot::kB));
  const std::string after = dir_.Read("grubenv");
  ASSERT_EQ(after.size(), 1024u);
  EXPECT_NE(before.substr(0, 512), after.substr(0, 512));
  EXPECT_EQ(before.substr(512), after.substr(512));
}

TEST_F(GrubEnvBootloaderTest, RefusesAnEditThatWouldSpillIntoTheSecondSector) {
  GrubEditenv(dir_, "set big=" + std::string(480, 'x'));
  const std::string before = dir_.Read("grubenv");
  auto st = boot_.ArmTrialBoot(core::Slot::kB);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::kBootloader);
  EXPECT_EQ(dir_.Read("grubenv"), before);
}

TEST_F(GrubEnvBootloaderTest, MissingOrDamagedEnvironmentIsABootloaderError) {
  GrubEnvBootloader missing(files_, "/nope");
  ASSERT_FALSE(missing.Read());
  EXPECT_EQ(missing.Read().error().code, Errc::kBootloader);
  dir_.Write("grubenv", "garbage");
  EXPECT_FALSE(boot_.Commit(core::Slot::kA));
}

}  // namespace
}  // namespace kubeos::platform
