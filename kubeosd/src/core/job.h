// SPDX-License-Identifier: MulanPSL-2.0
// What a running job sees of the engine (progress, cancellation) and what it returns.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "core/job_type.h"
#include "core/state.h"

namespace kubeos::core {

// Handed to a job's work function; every method may be called from the job's worker thread.
class JobContext {
 public:
  virtual ~JobContext() = default;
  // A short lower-case word or two: "downloading", "verifying", "switching-boot".
  virtual void SetStage(std::string_view stage) = 0;
  // Bytes done of total (0 = unknown); the engine derives the percentage and throttles updates.
  virtual void SetProgress(uint64_t done, uint64_t total) = 0;
  virtual bool IsCancelled() const = 0;
  // Returns Errc::kCancelled when a cancel arrived; call it between steps.
  virtual Status CheckCancelled() const = 0;
  // From here on Cancel is refused (NotCancellable). Fails with kCancelled if it came first.
  virtual Status EnterPointOfNoReturn() = 0;
  // A copy of the persistent node state.
  virtual NodeState State() const = 0;
  // Changes the persistent node state under the engine's lock and saves it atomically before
  // returning; the change is visible to Status at once.
  virtual Status UpdateState(const std::function<void(NodeState&)>& mutate) = 0;
};

struct JobOutcome {
  std::string message;             // human summary of what was done
  std::vector<std::string> needs;  // what must happen for changes to take effect
  bool reboot_requested = false;   // the engine reboots after reporting the result
  // Set when the job failed but its outcome must still take effect (e.g. a failed health check
  // that reboots back into the previous slot): reported as failed with this error.
  std::optional<Error> failure;
};

}  // namespace kubeos::core
