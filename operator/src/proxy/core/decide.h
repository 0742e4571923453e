// SPDX-License-Identifier: MulanPSL-2.0
// The proxy's state machine: a pure function from its OSInstance, its
// Node and kubeosd's Status to the one next step. The shell performs the step, reads the world
// again and asks again; every step is idempotent, so a restart (a reboot) resumes where it was.
#pragma once

#include <chrono>
#include <string>

#include "core/model.h"
#include "proxy/core/node_view.h"

namespace kubeos::proxy {

enum class Step {
  kNothing,        // idle, or the failure of this dispatch is already reported
  kWaitForDaemon,  // kubeosd is busy or about to reboot; look again later
  kMarkRunning,    // status.phase=Running for this dispatch
  kApplyConfig,    // ApplyConfig(config, kind) through kubeosd, then record it in status
  kCordon,         // spec.unschedulable=true, remembering that the proxy did it
  kDrainAndStart,  // drain completely, then Upgrade/Rollback through kubeosd (which reboots)
  kFinish,         // record status versions, uncordon unless cordoned before, nodestatus idle
  kUncordon,       // the proxy's cordon outlived its operation: lift it
  kFail,           // a definitive failure: phase Failed, Event, uncordon unless cordoned before
};

struct Action {
  Step step = Step::kNothing;
  std::string kind;    // kApplyConfig: "sysconfigs" or "upgradeconfigs"
  Json config;         // kApplyConfig: the block to apply
  std::string method;  // kDrainAndStart: "Upgrade" or "Rollback"
  std::string token;   // kDrainAndStart: the dispatch, recorded on the Node before the call
  std::string message;
};

// "ns/name/osgeneration": one dispatch of the operator (it dispatches a node at most once per
// OS generation).
std::string DispatchToken(const op::OsInstanceObject& osi);

// |daemon| may be null when kubeosd was not asked (the OSInstance is idle) or did not answer.
Action Decide(const op::OsInstanceObject& osi, const NodeView& node, const DaemonStatus* daemon);

[[nodiscard]] const char* StepName(Step step);

// Retry delay after |failures| consecutive failed steps: 1 s doubling up to 5 min.
std::chrono::seconds BackoffDelay(int failures);

}  // namespace kubeos::proxy
