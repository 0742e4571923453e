// SPDX-License-Identifier: MulanPSL-2.0
// The seed's configuration examples (and one covering the other models) applied end to end:
// document → ConfigJsonFromDocument → ParseRequest → Apply on a fake root, compared with golden
// files under tests/testdata/config/seed/<example>/{before,after}/ (proc/sys included).
#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_util.h"
#include "core/config/apply.h"
#include "fakes/fake_file_system.h"

namespace kubeos::core::config {
namespace {

namespace fs = std::filesystem;
using kubeos::testing::FakeFileSystem;
using testing::TestData;

// Every file under seed/<example>/<state>/, keyed by its absolute path on the node.
std::map<std::string, std::string> Tree(const std::string& example, const std::string& state) {
  std::map<std::string, std::string> files;
  fs::path root = fs::path(KUBEOS_CONFIG_TESTDATA) / "seed" / example / state;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string relative = fs::relative(entry.path(), root).string();
    files["/" + relative] = TestData("seed/" + example + "/" + state + "/" + relative);
  }
  return files;
}

std::map<std::string, std::string> Contents(const FakeFileSystem& fake) {
  std::map<std::string, std::string> out;
  for (const auto& [path, content] : fake.files()) out[path] = content.data;
  return out;
}

struct Example {
  std::string name;
  std::string document;  // file under seed/<name>/
  std::string kind;
  std::vector<std::string> actions;
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const Example& c, std::ostream* os) { *os << c.name; }

class SeedExampleTest : public ::testing::TestWithParam<Example> {};

TEST_P(SeedExampleTest, ProducesExactlyTheGoldenFilesAndChangesNothingTheSecondTime) {
  const Example& ex = GetParam();
  FakeFileSystem fake;
  for (const auto& [path, data] : Tree(ex.name, "before")) fake.Put(path, data);

  auto json = ConfigJsonFromDocument(TestData("seed/" + ex.name + "/" + ex.document), ex.kind);
  ASSERT_TRUE(json) << json.error().message;
  auto request = ParseRequest(*json);
  ASSERT_TRUE(request) << request.error().message;
  ApplyContext ctx;  // booted slot A, default paths

  auto first = Apply(*request, ctx, fake);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(Contents(fake), Tree(ex.name, "after"));
  EXPECT_FALSE(first->changes.empty());
  EXPECT_EQ(first->actions, ex.actions);

  int writes = fake.writes();
  auto second = Apply(*request, ctx, fake);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->changes.empty());
  EXPECT_TRUE(second->actions.empty());
  EXPECT_EQ(fake.writes(), writes);
  EXPECT_EQ(Contents(fake), Tree(ex.name, "after"));
}

INSTANTIATE_TEST_SUITE_P(Seed,
                         SeedExampleTest,
                         ::testing::Values(Example{"settings", "os.yaml", "sysconfigs", {"reboot"}},
                                           Example{"rollback", "os.yaml", "sysconfigs", {"reboot"}},
                                           Example{"all_models",
                                                   "config.json",
                                                   "sysconfigs",
                                                   {"reboot", "restart kubelet",
                                                    "restart containerd"}}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace kubeos::core::config
