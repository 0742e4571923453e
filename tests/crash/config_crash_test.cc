// SPDX-License-Identifier: MulanPSL-2.0
// Issue 3, fault injection (R-6.9): a multi-file ApplyConfig served by the real kubeosd in the
// sandbox, with the daemon SIGKILLed at each of its write steps in turn (before, in the middle
// of, and after every file replacement, and every state file write). After each kill every
// file is byte for byte entirely old or entirely new with its mode unchanged, and the same
// request sent to a restarted production kubeosd completes it.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "crash/crash_harness.h"

namespace kubeos::testing {
namespace {

namespace fs = std::filesystem;

// Three files of three models (line-oriented, YAML, TOML), each with its own mode.
struct Target {
  const char* path;
  mode_t mode;
};
constexpr Target kTargets[] = {{"/etc/sysctl.conf", 0644},
                               {"/var/lib/kubelet/config.yaml", 0600},
                               {"/etc/containerd/config.toml", 0640}};

std::string Request(const std::string& version) {
  return R"({"version":")" + version + R"(","configs":[)" +
         R"({"model":"kernel.sysctl.persist","contents":[{"key":"vm.max_map_count","value":262144},)"
         R"({"key":"kernel.pid_max","value":"65536"}]},)"
         R"({"model":"kubernetes.kubelet","contents":[{"key":"maxPods","value":200},)"
         R"({"key":"evictionHard.\"memory.available\"","value":"200Mi"}]},)"
         R"({"model":"container.containerd","contents":[)"
         R"({"key":"plugins.\"io.containerd.grpc.v1.cri\".sandbox_image","value":"registry.local/pause:3.9"}]}]})";
}

class ConfigCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StopSandboxDaemon();
    for (const Target& t : kTargets) {
      const std::string p = SandboxRoot() + t.path;
      ::chmod(p.c_str(), t.mode);
      old_[t.path] = ReadBytes(p);
    }
  }

  // Puts every file back to its old bytes and mode, without kubeosd's stray temp files.
  void RestoreOld() {
    for (const Target& t : kTargets) {
      const std::string p = SandboxRoot() + t.path;
      WriteBytes(p, old_.at(t.path), t.mode);
      for (const auto& e : fs::directory_iterator(fs::path(p).parent_path())) {
        if (e.path().filename().string().find(".kubeos-tmp") != std::string::npos) {
          fs::remove(e.path());
        }
      }
    }
  }

  // Applies |version| through |daemon|; the job's end.
  JobEnd Apply(Daemon& daemon, const std::string& version) {
    Client client;
    std::string error;
    const auto job = client.Start(
        "ApplyConfig", [&](sdbus::MethodCall& call) { call << Request(version) << VariantMap{}; },
        &error);
    if (!job) {
      if (!LostThePeer(error)) return JobEnd{false, "refused", error, ""};
      daemon.Wait();  // killed while answering
      return JobEnd{true, "", "", ""};
    }
    return client.WaitJob(*job, daemon);
  }

  void ExpectAllNew(const std::string& when) {
    for (const Target& t : kTargets) {
      const std::string p = SandboxRoot() + t.path;
      EXPECT_EQ(ReadBytes(p), new_.at(t.path)) << t.path << " " << when;
      EXPECT_EQ(ModeOf(p), t.mode) << t.path << " " << when;
    }
  }

  std::map<std::string, std::string> old_;
  std::map<std::string, std::string> new_;
};

TEST_F(ConfigCrashTest, KilledAtEveryWriteStepEachFileIsOldOrNewAndARetryCompletesIt_R6_9) {
  {  // What the request makes of the files when nothing goes wrong.
    Daemon reference(0, "");
    ASSERT_TRUE(reference.WaitReady());
    const JobEnd end = Apply(reference, "reference");
    ASSERT_EQ(end.result, "done") << end.error << ": " << end.message;
    for (const Target& t : kTargets) {
      new_[t.path] = ReadBytes(SandboxRoot() + t.path);
      ASSERT_NE(new_.at(t.path), old_.at(t.path)) << t.path << " is not changed by the request";
    }
  }

  const std::string step_log = SandboxDir() + "/crash-steps.log";
  std::set<std::string> killed_at;
  std::vector<std::string> in_order;
  bool completed = false;
  for (unsigned n = 1; n <= 200 && !completed; ++n) {
    SCOPED_TRACE("kill at step " + std::to_string(n));
    RestoreOld();
    fs::remove(step_log);
    const std::string version = "crash-" + std::to_string(n);
    {
      Daemon crashing(n, step_log);
      if (crashing.WaitReady()) {
        const JobEnd end = Apply(crashing, version);
        if (!end.daemon_died) {
          // Past the last step: the request ran to its end under the crashpoint daemon.
          ASSERT_EQ(end.result, "done") << end.error << ": " << end.message;
          ExpectAllNew("after an uninterrupted run");
          completed = true;
          continue;
        }
      }
      crashing.Wait();
      ASSERT_TRUE(crashing.KilledBySigkill()) << "the daemon ended otherwise than by the kill";
    }
    const auto steps = ReadSteps(step_log);
    ASSERT_EQ(steps.size(), n);
    const std::string step = steps.back();
    killed_at.insert(step);
    in_order.push_back(step);
    SCOPED_TRACE("step: " + step);

    for (const Target& t : kTargets) {
      const std::string p = SandboxRoot() + t.path;
      const std::string now = ReadBytes(p);
      EXPECT_TRUE(now == old_.at(t.path) || now == new_.at(t.path))
          << t.path << " is neither the old nor the new file:\n"
          << now;
      EXPECT_EQ(ModeOf(p), t.mode) << t.path;
    }

    // The same request, sent again to the restarted production daemon, completes it.
    Daemon retry(0, "");
    ASSERT_TRUE(retry.WaitReady()) << "kubeosd does not start after the kill";
    const JobEnd end = Apply(retry, version);
    ASSERT_FALSE(end.daemon_died);
    ASSERT_EQ(end.result, "done") << end.error << ": " << end.message;
    ExpectAllNew("after the retry");
    Client client;
    EXPECT_EQ(client.Status().at("sysconfigs-version").get<std::string>(), version);
  }
  EXPECT_TRUE(completed) << "the request never completed under the crashpoint daemon";

  // The kills covered every file: before, in the middle of and after each replacement.
  for (const Target& t : kTargets) {
    for (const char* kind : {"before write ", "torn write ", "after write "}) {
      EXPECT_EQ(killed_at.count(kind + std::string(t.path)), 1u) << kind << t.path;
    }
  }
  std::string all;
  for (const auto& s : in_order) all += "  " + s + "\n";
  std::printf("killed kubeosd at %zu steps, in order:\n%s", in_order.size(), all.c_str());
}

}  // namespace
}  // namespace kubeos::testing
