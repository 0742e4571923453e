// SPDX-License-Identifier: MulanPSL-2.0
#include "core/reconcile.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "core/selection.h"

namespace kubeos::op {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;

bool UpgradeLike(const OsObject& os) { return os.opstype == "upgrade" || os.opstype == "rollback"; }

// What the operator knows about one selected node.
struct NodeState {
  const NodeObject* node = nullptr;
  const OsInstanceObject* osi = nullptr;
  bool eligible = false;        // counts towards this OS's total
  bool busy = false;            // in an operation for this OS
  bool busy_elsewhere = false;  // in an operation for another OS
  bool failed = false;          // this generation's operation failed
  bool done = false;
  bool needs_work = false;
};

NodeState Classify(const OsObject& os, const NodeObject& node, const OsInstanceObject* osi) {
  NodeState s{&node, osi};
  const bool owned = osi != nullptr && osi->owner_ns == os.ns && osi->owner_name == os.name;
  // The node side reported that the work it holds now failed; that ends the
  // operation.
  const bool failed_now =
      owned && osi->phase == "Failed" && osi->status_observed_generation == osi->generation;
  // Only failures of this generation count: a spec change retries the failed
  // nodes.
  s.failed = failed_now && osi->owner_generation == os.generation;
  // At most one dispatch per node and OS generation: a node dispatched for this generation stays
  // in operation until it reports the result, even after its OSInstance went back to idle (the
  // Node and OSInstance watches are not ordered, and a re-dispatch would exceed maxunavailable).
  const bool dispatched_now = owned && osi->owner_generation == os.generation;
  s.busy_elsewhere = osi != nullptr && !owned && osi->nodestatus != "idle";
  const bool at_version = node.os_image == os.osversion;
  bool settled;
  if (UpgradeLike(os)) {
    s.eligible = true;
    // Done also needs the node side to report the configs applied.
    const bool applied =
        osi == nullptr || (osi->status_sysconfigs_version == osi->spec_sysconfigs_version &&
                           osi->status_upgradeconfigs_version == osi->spec_upgradeconfigs_version);
    settled = at_version && applied;
  } else {
    const std::string want = ConfigVersion(os.sysconfigs);
    settled = osi != nullptr && osi->spec_sysconfigs_version == want &&
              osi->status_sysconfigs_version == want;
  }
  s.busy = owned && !failed_now && (osi->nodestatus != "idle" || (dispatched_now && !settled));
  if (UpgradeLike(os)) {
    s.done = settled && !s.busy && !s.failed;
    s.needs_work = !at_version && !s.busy && !s.failed && !s.busy_elsewhere;
  } else {
    // Config touches only nodes already at osversion.
    s.eligible = at_version || s.busy;
    s.done = at_version && settled && !s.busy && !s.failed;
    s.needs_work = at_version && !s.done && !s.busy && !s.failed && !s.busy_elsewhere;
  }
  return s;
}

// A merge-patch value that turns |old| into |fresh| entirely: keys of |old|
// missing from |fresh| are deleted, so no field of an earlier config leaks into
// the new one.
Json ReplaceBlock(const Json& old, const Json& fresh) {
  if (fresh.is_null()) return nullptr;
  Json out = fresh;
  if (old.is_object()) {
    for (const auto& [k, v] : old.items()) {
      if (!out.contains(k)) out[k] = nullptr;
    }
  }
  return out;
}

Json DropNulls(const Json& j) {
  if (!j.is_object()) return j;
  Json out = Json::object();
  for (const auto& [k, v] : j.items()) {
    if (!v.is_null()) out[k] = DropNulls(v);
  }
  return out;
}

Json DispatchSpec(const OsObject& os, const OsInstanceObject* osi) {
  const Json old_spec = osi != nullptr ? osi->spec : Json::object();
  auto old_block = [&](const char* key) {
    return old_spec.is_object() && old_spec.contains(key) ? old_spec[key] : Json();
  };
  Json spec = {{"namespacedname", {{"name", os.name}, {"namespace", os.ns}}},
               {"osgeneration", os.generation},
               {"osversion", os.osversion}};
  if (UpgradeLike(os)) {
    spec["nodestatus"] = os.opstype;  // "upgrade" or "rollback"
    if (osi == nullptr || osi->spec_upgradeconfigs_version != ConfigVersion(os.upgradeconfigs) ||
        osi->has_spec_upgradeconfigs != !os.upgradeconfigs.is_null()) {
      spec["upgradeconfigs"] = ReplaceBlock(old_block("upgradeconfigs"), os.upgradeconfigs);
    }
    if (osi == nullptr || osi->spec_sysconfigs_version != ConfigVersion(os.sysconfigs) ||
        osi->has_spec_sysconfigs != !os.sysconfigs.is_null()) {
      spec["sysconfigs"] = ReplaceBlock(old_block("sysconfigs"), SwapGrubModels(os.sysconfigs));
    }
  } else {
    spec["nodestatus"] = "config";
    spec["sysconfigs"] = ReplaceBlock(old_block("sysconfigs"), os.sysconfigs);
  }
  return spec;
}

Dispatch MakeDispatch(const OsObject& os, const NodeState& s) {
  Json spec = DispatchSpec(os, s.osi);
  if (s.osi == nullptr) {
    Json obj = {{"apiVersion", "upgrade.openeuler.org/v1alpha1"},
                {"kind", "OSInstance"},
                {"metadata",
                 {{"name", s.node->name},
                  {"namespace", kOSInstanceNamespace},
                  {"labels", {{kLabelOSInstanceNode, s.node->name}}}}},
                {"spec", DropNulls(spec)}};
    return Dispatch{s.node->name, true, obj};
  }
  return Dispatch{s.node->name, false, Json{{"spec", spec}}};
}

struct Conditions {
  Json previous;  // array from the old status
  Json out = Json::array();
  std::string now;
  std::int64_t generation;

  [[nodiscard]] bool WasTrue(const std::string& type) const {
    if (!previous.is_array()) return false;
    for (const auto& c : previous) {
      if (c.value("type", "") == type) return c.value("status", "") == "True";
    }
    return false;
  }
  void Set(const std::string& type,
           bool on,
           const std::string& reason,
           const std::string& message) {
    const std::string status = on ? "True" : "False";
    std::string since = now;
    if (previous.is_array()) {
      for (const auto& c : previous) {
        if (c.value("type", "") == type && c.value("status", "") == status) {
          since = c.value("lastTransitionTime", now);
        }
      }
    }
    out.push_back({{"type", type},
                   {"status", status},
                   {"reason", reason},
                   {"message", message},
                   {"lastTransitionTime", since},
                   {"observedGeneration", generation}});
  }
};

std::vector<std::string> StringList(const Json& status, const char* key) {
  std::vector<std::string> out;
  if (status.is_object() && status.contains(key) && status[key].is_array()) {
    for (const auto& v : status[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

std::optional<Clock::time_point> StatusTime(const Json& status, const char* key) {
  if (!status.is_object() || !status.contains(key) || !status[key].is_string()) return std::nullopt;
  return ParseTime(status[key].get<std::string>());
}

seconds Until(Clock::time_point t, Clock::time_point now) {
  auto d = std::chrono::ceil<seconds>(t - now);
  return std::max(d, seconds(1));
}

}  // namespace

std::string FormatTime(Clock::time_point t) {
  std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<Clock::time_point> ParseTime(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return Clock::from_time_t(timegm(&tm));
}

Json SwapGrubModels(Json sysconfigs) {
  if (!sysconfigs.is_object() || !sysconfigs.contains("configs") ||
      !sysconfigs["configs"].is_array()) {
    return sysconfigs;
  }
  for (auto& c : sysconfigs["configs"]) {
    if (!c.is_object()) continue;
    const std::string model = c.value("model", "");
    if (model == "grub.cmdline.current") c["model"] = "grub.cmdline.next";
    if (model == "grub.cmdline.next") c["model"] = "grub.cmdline.current";
  }
  return sysconfigs;
}

Plan Reconcile(const OsObject& os,
               const std::vector<NodeObject>& nodes,
               const std::map<std::string, OsInstanceObject>& osinstances,
               const std::map<std::string, std::string>& conflicts,
               const Now& now,
               const ReconcileOptions& options) {
  Plan plan;
  const Json& old = os.status;
  const std::string now_text = FormatTime(now.utc);
  Conditions conds{old.is_object() && old.contains("conditions") ? old["conditions"] : Json(),
                   Json::array(), now_text, os.generation};
  const bool spec_changed =
      !(old.is_object() && old.value("observedGeneration", std::int64_t{0}) == os.generation);

  Json status = old.is_object() ? old : Json::object();
  status["observedGeneration"] = os.generation;

  // Classify every selected node.
  std::vector<NodeState> states;
  const auto selected = SelectedNodes(os, nodes);
  states.reserve(selected.size());
  // Both |selected| and |osinstances| are in name order: one walk pairs them.
  auto osi = osinstances.begin();
  for (const NodeObject* n : selected) {
    while (osi != osinstances.end() && osi->first < n->name) ++osi;
    const bool found = osi != osinstances.end() && osi->first == n->name;
    states.push_back(Classify(os, *n, found ? &osi->second : nullptr));
  }
  // |states| is sorted by node name (SelectedNodes), names are unique.
  auto find_state = [&](const std::string& name) -> const NodeState* {
    auto it =
        std::lower_bound(states.begin(), states.end(), name,
                         [](const NodeState& s, const std::string& n) { return s.node->name < n; });
    return it != states.end() && it->node->name == name ? &*it : nullptr;
  };
  int total = 0, updated = 0, updating = 0, failed = 0;
  std::vector<const NodeState*> candidates;
  std::set<std::string> busy_names;
  for (const auto& s : states) {
    total += s.eligible ? 1 : 0;
    updated += s.done ? 1 : 0;
    updating += s.busy ? 1 : 0;
    failed += s.failed ? 1 : 0;
    if (s.busy) busy_names.insert(s.node->name);
    if (s.needs_work) candidates.push_back(&s);
  }

  // Completion and failure Events for the nodes that were in flight at the last
  // pass.
  for (const auto& name : StringList(old, "inflight")) {
    const NodeState* s = find_state(name);
    if (s == nullptr || s->busy) continue;
    if (s->done) {
      plan.events.push_back({"Normal", "Completed", os.opstype + " of node " + name + " done"});
    } else if (s->failed) {
      plan.events.push_back({"Warning", "Failed", os.opstype + " of node " + name + " failed"});
    }
  }

  auto finish = [&](const std::string& progress_reason, const std::string& progress_message) {
    const bool complete =
        candidates.empty() && updating == 0 && failed == 0 && !conflicts.contains(os.Key());
    std::vector<std::string> inflight(busy_names.begin(), busy_names.end());
    for (const auto& d : plan.dispatches) {
      if (!busy_names.contains(d.node)) inflight.push_back(d.node);
    }
    const bool progressing = !plan.dispatches.empty() || updating > 0 ||
                             (!candidates.empty() && progress_reason == "Dispatching");
    conds.Set("Progressing", progressing && !complete, progress_reason, progress_message);
    conds.Set("Complete", complete, complete ? "AllNodesDone" : "NotDone",
              std::to_string(updated) + " of " + std::to_string(total) + " nodes done");
    status["conditions"] = conds.out;
    status["total"] = total;
    status["updated"] = updated;
    status["updating"] = updating + static_cast<int>(plan.dispatches.size());
    status["failed"] = failed;
    status["inflight"] = inflight;
    plan.status = status;
  };
  // A blocking condition: raise it, emit its Event on the transition, dispatch
  // nothing.
  auto block = [&](const std::string& type, const std::string& reason, const std::string& message) {
    if (!conds.WasTrue(type)) plan.events.push_back({"Warning", reason, message});
    for (const char* t : {"Conflict", "Degraded", "Halted", "WaitingForWindow"}) {
      if (t != type) conds.Set(t, false, "None", "");
    }
    conds.Set(type, true, reason, message);
  };

  // a conflicting OS is reported and does nothing.
  if (auto it = conflicts.find(os.Key()); it != conflicts.end()) {
    block("Conflict", "NodeSelectorConflict", it->second);
    finish("Blocked", it->second);
    return plan;
  }
  if (auto valid = ValidateTimeWindow(os.window); !valid) {
    block("Degraded", "InvalidTimeWindow", valid.error().message);
    finish("Blocked", valid.error().message);
    return plan;
  }
  // the failure budget; a spec change (new generation) resets it, since
  // failures only count for the generation they happened in.
  if (failed >= options.failure_budget) {
    const std::string msg = std::to_string(failed) + " nodes failed (budget " +
                            std::to_string(options.failure_budget) +
                            "); change the OS spec to resume";
    block("Halted", "FailureBudgetExhausted", msg);
    finish("Halted", msg);
    return plan;
  }
  if (!InsideTimeWindow(os.window, now.local)) {
    if (!candidates.empty()) {
      block("WaitingForWindow", "OutsideTimeWindow",
            "waiting for the time window " + os.window.start + " – " + os.window.end);
      plan.requeue_after = options.window_poll;
      finish("WaitingForWindow", "outside the time window");
      return plan;
    }
  }
  for (const char* t : {"Conflict", "Halted", "WaitingForWindow"}) conds.Set(t, false, "None", "");
  conds.Set("Degraded", failed > 0, failed > 0 ? "NodesFailed" : "None",
            failed > 0 ? std::to_string(failed) + " nodes failed" : "");

  // how many nodes may be in an operation at once.
  const int limit = std::min(os.maxunavailable, total);
  const seconds interval(os.timeinterval);
  auto dispatch = [&](const NodeState& s) {
    plan.dispatches.push_back(MakeDispatch(os, s));
    plan.events.push_back(
        {"Normal", "Dispatched",
         os.opstype + " of node " + s.node->name + " to " + os.osversion + " dispatched"});
    status["lastDispatchTime"] = now_text;
  };

  if (os.executionmode == "serial") {
    // A batch of up to |limit| nodes, run one after another.
    std::vector<std::string> batch;
    const auto old_batch = StringList(old, "batch");
    for (const auto& name : old_batch) {
      const NodeState* s = find_state(name);
      if (s != nullptr && (s->busy || s->needs_work)) batch.push_back(name);
    }
    if (batch.empty() && !old_batch.empty()) status["lastBatchEndTime"] = now_text;
    if (batch.empty() && !candidates.empty() && updating == 0) {
      auto last_end = StatusTime(status, "lastBatchEndTime");
      if (!spec_changed && last_end && now.utc < *last_end + interval) {
        plan.requeue_after = Until(*last_end + interval, now.utc);
      } else {
        for (std::size_t i = 0; i < candidates.size() && static_cast<int>(i) < limit; ++i) {
          batch.push_back(candidates[i]->node->name);
        }
      }
    }
    status["batch"] = batch;
    if (updating == 0 && !batch.empty()) {
      auto last = StatusTime(old, "lastDispatchTime");
      const NodeState* next = nullptr;
      for (const auto& name : batch) {
        const NodeState* s = find_state(name);
        if (s != nullptr && s->needs_work) {  // the first batch member among the candidates
          next = s;
          break;
        }
      }
      if (next != nullptr) {
        if (!spec_changed && last && now.utc < *last + options.serial_gap) {
          plan.requeue_after = Until(*last + options.serial_gap, now.utc);
        } else {
          dispatch(*next);
        }
      }
    }
  } else {
    const int slots = limit - updating;
    if (slots > 0 && !candidates.empty()) {
      auto last = StatusTime(old, "lastDispatchTime");
      if (!spec_changed && last && now.utc < *last + interval) {
        plan.requeue_after = Until(*last + interval, now.utc);
      } else {
        for (int i = 0; i < slots && i < static_cast<int>(candidates.size()); ++i) {
          dispatch(*candidates[static_cast<std::size_t>(i)]);
        }
        if (static_cast<int>(candidates.size()) > slots)
          plan.requeue_after = std::max(interval, seconds(1));
      }
    }
  }
  finish("Dispatching", std::to_string(updating + static_cast<int>(plan.dispatches.size())) +
                            " nodes in operation, " + std::to_string(candidates.size()) +
                            " waiting");
  return plan;
}

}  // namespace kubeos::op
