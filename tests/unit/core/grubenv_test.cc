// SPDX-License-Identifier: MulanPSL-2.0
#include "core/grubenv.h"

#include <gtest/gtest.h>

namespace kubeos::core {
namespace {

std::string Block(std::string vars) {
  std::string b = "# GRUB Environment Block\n" + vars;
  b.resize(kGrubEnvSize, '#');
  return b;
}

TEST(GrubEnv, ParsesVariablesAndFormatsExactly1024Bytes) {
  auto env = GrubEnv::Parse(Block("saved_entry=A\nkopts=quiet\n"));
  ASSERT_TRUE(env);
  EXPECT_EQ(env->Get("saved_entry"), "A");
  EXPECT_EQ(env->Get("kopts"), "quiet");
  EXPECT_EQ(env->Get("next_entry"), "");
  auto out = env->Format();
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, Block("saved_entry=A\nkopts=quiet\n"));
}

TEST(GrubEnv, EditsKeepTheOrderOfUntouchedVariables) {
  auto env = GrubEnv::Parse(Block("a=1\nsaved_entry=A\nb=2\n"));
  ASSERT_TRUE(env);
  ASSERT_TRUE(env->Set("saved_entry", "B"));
  ASSERT_TRUE(env->Set("next_entry", "B"));
  env->Unset("a");
  EXPECT_EQ(*env->Format(), Block("saved_entry=B\nb=2\nnext_entry=B\n"));
}

TEST(GrubEnv, RefusesWhatGrubCannotCarry) {
  GrubEnv env;
  EXPECT_FALSE(env.Set("k", "line\nbreak"));
  EXPECT_FALSE(env.Set("k", "back\\slash"));
  EXPECT_FALSE(env.Set("a=b", "x"));
  EXPECT_FALSE(env.Set("", "x"));
  ASSERT_TRUE(env.Set("big", std::string(1100, 'x')));
  EXPECT_FALSE(env.Format());
}

TEST(GrubEnv, RefusesBlocksWithoutTheHeader) { EXPECT_FALSE(GrubEnv::Parse("saved_entry=A\n")); }

}  // namespace
}  // namespace kubeos::core
