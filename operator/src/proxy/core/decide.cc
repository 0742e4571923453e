// SPDX-License-Identifier: MulanPSL-2.0
#include "proxy/core/decide.h"

#include <algorithm>

namespace kubeos::proxy {
namespace {

const Json& Block(const op::OsInstanceObject& osi, const char* key) {
  static const Json kNull;
  if (!osi.spec.is_object() || !osi.spec.contains(key)) return kNull;
  return osi.spec[key];
}

std::string SpecString(const op::OsInstanceObject& osi, const char* key) {
  const Json& v = Block(osi, key);
  return v.is_string() ? v.get<std::string>() : "";
}

// The first config block (in |kinds| order) whose version kubeosd has not applied yet. The
// version alone decides, an empty one included.
Action ConfigToApply(const op::OsInstanceObject& osi,
                     const DaemonStatus& daemon,
                     std::initializer_list<const char*> kinds) {
  for (const char* kind : kinds) {
    const Json& block = Block(osi, kind);
    if (!block.is_object()) continue;
    const std::string want = op::ConfigVersion(block);
    const std::string& have = std::string_view(kind) == "sysconfigs"
                                  ? daemon.sysconfigs_version
                                  : daemon.upgradeconfigs_version;
    if (want != have) {
      return Action{
          Step::kApplyConfig,
          kind,
          block,
          "",
          "",
          std::string("apply ") + kind + " version '" + want + "' (node has '" + have + "')"};
    }
  }
  return Action{};
}

Action Make(Step step, std::string message) {
  Action a;
  a.step = step;
  a.message = std::move(message);
  return a;
}

}  // namespace

std::string DispatchToken(const op::OsInstanceObject& osi) {
  return osi.owner_ns + "/" + osi.owner_name + "/" + std::to_string(osi.owner_generation);
}

Action Decide(const op::OsInstanceObject& osi, const NodeView& node, const DaemonStatus* daemon) {
  if (osi.nodestatus == "idle") {
    if (node.cordoned_by_proxy) {
      return Make(Step::kUncordon, "the operation that cordoned the node is over");
    }
    return Make(Step::kNothing, "idle");
  }
  if (osi.phase == "Failed" && osi.status_observed_generation == osi.generation) {
    if (node.cordoned_by_proxy) return Make(Step::kUncordon, "the operation failed");
    return Make(Step::kNothing, "failure reported; waiting for a new dispatch");
  }
  const bool upgrade_like = osi.nodestatus == "upgrade" || osi.nodestatus == "rollback";
  if (!upgrade_like && osi.nodestatus != "config") {
    return Make(Step::kFail, "unknown nodestatus '" + osi.nodestatus + "'");
  }
  if (daemon == nullptr) return Make(Step::kWaitForDaemon, "kubeosd has not answered");
  if (daemon->Busy()) {
    return Make(Step::kWaitForDaemon, "kubeosd job " + daemon->active_job + " is running");
  }
  if (osi.phase != "Running" || osi.status_observed_generation != osi.generation) {
    return Make(Step::kMarkRunning, osi.nodestatus + " started");
  }
  const std::string target = SpecString(osi, "osversion");

  if (!upgrade_like) {
    // a config is for nodes at the OS version it names.
    if (!target.empty() && daemon->booted_version != target) {
      return Make(Step::kFail, "the node runs '" + daemon->booted_version +
                                   "', the config is for '" + target + "'");
    }
    if (auto a = ConfigToApply(osi, *daemon, {"upgradeconfigs", "sysconfigs"});
        a.step != Step::kNothing) {
      return a;
    }
    return Make(Step::kFinish, "config applied");
  }

  // Upgrade or rollback. Booted into the target: the post-reboot half.
  if (daemon->booted_version == target) {
    if (auto a = ConfigToApply(osi, *daemon, {"sysconfigs"}); a.step != Step::kNothing) return a;
    return Make(Step::kFinish, osi.nodestatus + " to '" + target + "' done");
  }
  if (daemon->pending_reboot) {
    return Make(Step::kWaitForDaemon, "waiting for the reboot into '" + target + "'");
  }
  const std::string token = DispatchToken(osi);
  if (node.started == token) {
    // kubeosd was asked for this dispatch, is idle and runs something else: the job failed or
    // the new slot fell back. Report it instead of starting over.
    std::string msg = osi.nodestatus + " to '" + target + "' failed: the node runs '" +
                      daemon->booted_version + "'";
    if (!daemon->last_error.empty()) msg += ": " + daemon->last_error;
    return Make(Step::kFail, msg);
  }
  if (auto a = ConfigToApply(osi, *daemon, {"upgradeconfigs"}); a.step != Step::kNothing) return a;
  if (!node.unschedulable) return Make(Step::kCordon, "cordon before the drain");
  Action a = Make(Step::kDrainAndStart, "drain, then " + osi.nodestatus + " to '" + target + "'");
  a.method = osi.nodestatus == "rollback" ? "Rollback" : "Upgrade";
  a.token = token;
  return a;
}

const char* StepName(Step step) {
  switch (step) {
    case Step::kNothing:
      return "nothing";
    case Step::kWaitForDaemon:
      return "wait-for-kubeosd";
    case Step::kMarkRunning:
      return "mark-running";
    case Step::kApplyConfig:
      return "apply-config";
    case Step::kCordon:
      return "cordon";
    case Step::kDrainAndStart:
      return "drain-and-start";
    case Step::kFinish:
      return "finish";
    case Step::kUncordon:
      return "uncordon";
    case Step::kFail:
      return "fail";
  }
  return "?";
}

std::chrono::seconds BackoffDelay(int failures) {
  if (failures <= 0) return std::chrono::seconds(0);
  const int exp = std::min(failures - 1, 9);  // 2^9 = 512 > 300
  return std::min(std::chrono::seconds(1LL << exp), std::chrono::seconds(300));
}

}  // namespace kubeos::proxy
