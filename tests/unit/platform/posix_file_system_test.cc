// SPDX-License-Identifier: MulanPSL-2.0
// The rooted file system on a real directory: atomic replacement keeping owner and mode, and no
// way out of the root.
#include "platform/posix_file_system.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace kubeos::platform {
namespace {

using kubeos::testing::TempDir;
namespace fs = std::filesystem;

TEST(PosixFileSystem, ReplacesAtomicallyKeepingTheGivenModeAndOwner) {
  TempDir dir;
  PosixFileSystem files(dir.path().string());
  ASSERT_TRUE(files.WriteAtomic("/etc/sysctl.conf", {"a = 1\n", 0640, getuid(), getgid()}));
  auto read = files.Read("/etc/sysctl.conf");
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->data, "a = 1\n");
  EXPECT_EQ((*read)->mode, 0640u);
  // No temporary file is left beside the target.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path() / "etc"), fs::directory_iterator()), 1);
}

TEST(PosixFileSystem, MissingFileIsNulloptNotAnError) {
  TempDir dir;
  PosixFileSystem files(dir.path().string());
  auto read = files.Read("/nope");
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->has_value());
}

TEST(PosixFileSystem, SymlinksAndDotDotCannotLeaveTheRoot) {
  TempDir outside;
  outside.Write("secret", "outside\n");
  TempDir dir;
  fs::create_directories(dir.path() / "etc");
  fs::create_symlink(outside.path() / "secret", dir.path() / "etc/link");
  fs::create_symlink("../../../../../../../../" + (outside.path() / "secret").string(),
                     dir.path() / "etc/rel");
  PosixFileSystem files(dir.path().string());
  for (const char* p : {"/etc/link", "/etc/rel", "/../../../../"}) {
    auto read = files.Read(std::string(p) + (std::string(p).back() == '/' ? "etc/passwd" : ""));
    ASSERT_TRUE(read) << p;
    EXPECT_FALSE(read->has_value()) << p << " escaped the root";
  }
  ASSERT_TRUE(files.WriteAtomic("/etc/link", {"inside\n", 0644, getuid(), getgid()}));
  EXPECT_EQ(outside.Read("secret"), "outside\n");
}

TEST(PosixFileSystem, RelativePathsAreRefused) {
  TempDir dir;
  PosixFileSystem files(dir.path().string());
  auto r = files.Read("etc/passwd");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidArgs);
}

TEST(PosixFileSystem, WriteInPlaceKeepsTheInodeAndCutsALongerOldFile) {
  TempDir dir;
  dir.Write("f", "0123456789");
  struct stat before {};
  ASSERT_EQ(::stat((dir.path() / "f").c_str(), &before), 0);
  PosixFileSystem files(dir.path().string());
  ASSERT_TRUE(files.WriteInPlace("/f", "abc"));
  struct stat after {};
  ASSERT_EQ(::stat((dir.path() / "f").c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(dir.Read("f"), "abc");
}

TEST(PosixFileSystem, RemoveOfAMissingFileSucceeds) {
  TempDir dir;
  PosixFileSystem files(dir.path().string());
  EXPECT_TRUE(files.Remove("/does/not/exist"));
  dir.Write("x", "1");
  EXPECT_TRUE(files.Remove("/x"));
  EXPECT_FALSE(fs::exists(dir.path() / "x"));
}

}  // namespace
}  // namespace kubeos::platform
