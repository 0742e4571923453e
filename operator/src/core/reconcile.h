// SPDX-License-Identifier: MulanPSL-2.0
// The operator's scheduling decision for one OS object: a pure
// function from the observed OS, Nodes and OSInstances and the time to the
// dispatches, status and Events to write.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace kubeos::op {

struct ReconcileOptions {
  int failure_budget = 2;                // failed nodes that halt a rollout
  std::chrono::seconds serial_gap{15};   // between nodes of one serial batch
  std::chrono::seconds window_poll{15};  // re-check of a closed time window
};

struct Now {
  std::chrono::system_clock::time_point utc;
  LocalTime local;  // the same instant in the operator's time zone
};

// Work for one node: create its OSInstance (|create|, |object| is the full
// object) or merge-patch its spec (|object| is the patch).
struct Dispatch {
  std::string node;
  bool create = false;
  Json object;
};

struct EventOut {
  std::string type;    // Normal or Warning
  std::string reason;  // Dispatched, Completed, Failed, Conflict, Halted,
                       // WaitingForWindow, …
  std::string message;
};

struct Plan {
  std::vector<Dispatch> dispatches;
  Json status;  // the complete new OS.status
  std::vector<EventOut> events;
  std::optional<std::chrono::seconds> requeue_after;  // nullopt: only on the next change
};

Plan Reconcile(const OsObject& os,
               const std::vector<NodeObject>& nodes,
               const std::map<std::string, OsInstanceObject>& osinstances,
               const std::map<std::string, std::string>& conflicts,
               const Now& now,
               const ReconcileOptions& options);

// RFC 3339 UTC with seconds ("2026-11-25T18:00:00Z") and back; nullopt when
// unparsable.
std::string FormatTime(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& s);

// sysconfigs for after the reboot: grub.cmdline.current and .next swap roles
// because the running slot changes.
Json SwapGrubModels(Json sysconfigs);

}  // namespace kubeos::op
