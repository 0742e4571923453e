// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/systemd_health_checker.h"

#include <thread>

namespace kubeos::platform {

Status SystemdHealthChecker::WaitHealthy(const std::vector<std::string>& units,
                                         std::chrono::seconds timeout,
                                         const std::function<bool()>& cancelled) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string inactive;
    for (const auto& unit : units) {
      // "--" keeps a unit name starting with '-' from being read as an option.
      auto r = runner_.Run({"systemctl", "is-active", "--quiet", "--", unit});
      if (!r) return Forward(std::move(r), "health check");
      if (r->exit_code != 0) inactive += (inactive.empty() ? "" : ", ") + unit;
    }
    if (inactive.empty()) return {};
    if (std::chrono::steady_clock::now() >= deadline) {
      return Fail(Errc::kHealthCheck,
                  "not active after " + std::to_string(timeout.count()) + " s: " + inactive);
    }
    if (cancelled && cancelled()) return Fail(Errc::kCancelled, "health check cancelled");
    std::this_thread::sleep_for(poll_interval_);
  }
}

}  // namespace kubeos::platform
