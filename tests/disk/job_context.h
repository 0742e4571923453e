// SPDX-License-Identifier: MulanPSL-2.0
// The engine's side of a job for tests that run upgrade jobs directly on a loop-device disk
// (labels disk and containers), and a Power that refuses to reboot the test machine.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "core/ports/power.h"
#include "core/state.h"

namespace kubeos::testing {

inline constexpr const char* kStateFile = "/persist/kubeos/state.json";

class NoPower final : public core::Power {
 public:
  Status Reboot() override { return Fail(Errc::kFailed, "tests never reboot"); }
};

// The engine's side of a job, reduced to what the jobs use; state is persisted like the engine
// does, so the test can read the state file.
class DiskJobContext final : public core::JobContext {
 public:
  explicit DiskJobContext(core::FileSystem& fs) : store_(fs, kStateFile) {}
  void SetStage(std::string_view stage) override { stages.emplace_back(stage); }
  void SetProgress(uint64_t done, uint64_t total) override {
    bytes_done = done;
    bytes_total = total;
  }
  bool IsCancelled() const override { return cancel_after && bytes_done >= *cancel_after; }
  Status CheckCancelled() const override {
    if (IsCancelled()) return Fail(Errc::kCancelled, "cancelled");
    return {};
  }
  Status EnterPointOfNoReturn() override { return {}; }
  core::NodeState State() const override { return state; }
  Status UpdateState(const std::function<void(core::NodeState&)>& mutate) override {
    mutate(state);
    return store_.Save(state);
  }

  core::NodeState state;
  std::vector<std::string> stages;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
  std::optional<uint64_t> cancel_after;  // "the user cancels" once this many bytes arrived

 private:
  core::StateStore store_;
};

}  // namespace kubeos::testing
