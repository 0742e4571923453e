// SPDX-License-Identifier: MulanPSL-2.0
// The small platform pieces of the upgrade engine that need no disk or network: the command
// runner (a real child process) and the systemd health check (over a fake runner).
#include <gtest/gtest.h>

#include "fakes/fake_command_runner.h"
#include "platform/posix_command_runner.h"
#include "platform/systemd_health_checker.h"

namespace kubeos::platform {
namespace {

TEST(PosixCommandRunnerTest, PassesArgumentsVerbatimWithoutAShell) {
  PosixCommandRunner runner;
  const auto r = runner.Run({"printf", "%s|", "a b", "$(id)", ";true"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output, "a b|$(id)|;true|");
}

TEST(PosixCommandRunnerTest, ReportsExitCodesAndMissingPrograms) {
  PosixCommandRunner runner;
  EXPECT_EQ(runner.Run({"false"})->exit_code, 1);
  EXPECT_FALSE(runner.Run({"kubeos-no-such-program"}).has_value());
}

TEST(SystemdHealthCheckerTest, HealthyWhenEveryUnitIsActive) {
  fakes::FakeCommandRunner runner;
  SystemdHealthChecker checker(runner, std::chrono::milliseconds(0));
  ASSERT_TRUE(
      checker.WaitHealthy({"kubelet.service", "containerd.service"}, std::chrono::seconds(0), {})
          .has_value());
  ASSERT_EQ(runner.calls.size(), 2u);
  EXPECT_EQ(runner.calls[0], (std::vector<std::string>{"systemctl", "is-active", "--quiet", "--",
                                                       "kubelet.service"}));
}

TEST(SystemdHealthCheckerTest, NamesTheUnitsThatStayInactiveUntilTheTimeout) {
  fakes::FakeCommandRunner runner;
  runner.exit_codes["systemctl"] = 3;
  SystemdHealthChecker checker(runner, std::chrono::milliseconds(0));
  const auto r = checker.WaitHealthy({"kubelet.service"}, std::chrono::seconds(0), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kHealthCheck);
  EXPECT_NE(r.error().message.find("kubelet.service"), std::string::npos);
}

TEST(SystemdHealthCheckerTest, NoUnitsMeansHealthy) {
  fakes::FakeCommandRunner runner;
  SystemdHealthChecker checker(runner);
  EXPECT_TRUE(checker.WaitHealthy({}, std::chrono::seconds(0), {}).has_value());
  EXPECT_TRUE(runner.calls.empty());
}

}  // namespace
}  // namespace kubeos::platform
