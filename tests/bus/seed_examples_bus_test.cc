// SPDX-License-Identifier: MulanPSL-2.0
// The seed's configuration examples through the whole product (R-5, issue 3): kubeosctl reads
// the document, calls ApplyConfig on the private system bus, real polkitd authorises it, kubeosd
// edits the sandbox node's files. Each example starts from the golden "before" tree under
// tests/testdata/config/seed/<example>/, must end with exactly the "after" tree, and a second
// apply must leave every file untouched (same bytes, same inode, same mtime).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path kSeed = fs::path(KUBEOS_SOURCE_DIR) / "tests/testdata/config/seed";

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every regular file under |dir|, keyed by its path relative to |dir|.
std::map<std::string, std::string> Tree(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = Read(e.path());
  }
  return files;
}

struct Stamp {
  ino_t inode;
  int64_t mtime_ns;
  mode_t mode;
  bool operator==(const Stamp&) const = default;
};

Stamp StampOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return {st.st_ino, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec, st.st_mode};
}

struct ShellResult {
  int status;
  std::string out;
};

ShellResult Shell(const std::string& cmd) {
  ShellResult r{-1, ""};
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  while (p != nullptr && std::fgets(buf, sizeof(buf), p) != nullptr) r.out += buf;
  if (p != nullptr) r.status = ::pclose(p);
  return r;
}

struct Example {
  std::string name;
  std::string command;  // kubeosctl arguments; {} is the example's directory
};

void PrintTo(const Example& e, std::ostream* os) { *os << e.name; }

class SeedExampleBusTest : public ::testing::TestWithParam<Example> {
 protected:
  const fs::path root_ = std::getenv("KUBEOS_SANDBOX_ROOT");
};

TEST_P(SeedExampleBusTest, GivesTheGoldenFilesAndASecondApplyTouchesNothing) {
  const Example& ex = GetParam();
  const fs::path dir = kSeed / ex.name;
  const auto before = Tree(dir / "before");
  const auto after = Tree(dir / "after");
  for (const auto& [rel, data] : before) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary | std::ios::trunc) << data;
    fs::permissions(root_ / rel, fs::perms(0644));
  }
  std::string cmd = ex.command;
  cmd.replace(cmd.find("{}"), 2, dir.string());

  const ShellResult first = Shell("kubeosctl " + cmd);
  ASSERT_EQ(first.status, 0) << first.out;
  std::map<std::string, Stamp> stamps;
  for (const auto& [rel, data] : after) {
    EXPECT_EQ(Read(root_ / rel), data) << rel << " differs from the golden file; kubeosctl said:\n"
                                       << first.out;
    stamps[rel] = StampOf(root_ / rel);
    EXPECT_EQ(stamps[rel].mode & 07777, 0644u) << rel;
  }

  const ShellResult second = Shell("kubeosctl " + cmd);
  ASSERT_EQ(second.status, 0) << second.out;
  for (const auto& [rel, data] : after) {
    EXPECT_EQ(Read(root_ / rel), data) << rel;
    EXPECT_EQ(StampOf(root_ / rel), stamps[rel]) << rel << " was rewritten by the second apply";
  }
}

INSTANTIATE_TEST_SUITE_P(Seed,
                         SeedExampleBusTest,
                         ::testing::Values(Example{"settings", "apply -f {}/os.yaml"},
                                           Example{"rollback", "apply -f {}/os.yaml"},
                                           Example{"all_models", "config -f {}/config.json"}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
