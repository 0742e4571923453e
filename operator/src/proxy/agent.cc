// SPDX-License-Identifier: MulanPSL-2.0
#include "proxy/agent.h"

#include <thread>

#include "base/log.h"
#include "core/reconcile.h"
#include "proxy/drainer.h"

namespace kubeos::proxy {
namespace {

using kube::Json;
const std::string kNs(op::kOSInstanceNamespace);

// Call and job errors that a retry cannot fix: the request itself is wrong.
bool Definitive(Errc code) {
  switch (code) {
    case Errc::kInvalidArgs:
    case Errc::kConfigRejected:
    case Errc::kUnsafeUrl:
    case Errc::kNotSupported:
    case Errc::kChecksumMismatch:
    case Errc::kNoStandbySlot:
    case Errc::kInvalidImage:
    case Errc::kHealthCheck:
      return true;
    default:
      return false;
  }
}

Json SpecBlock(const op::OsInstanceObject& osi, const char* key) {
  if (!osi.spec.is_object() || !osi.spec.contains(key)) return nullptr;
  return osi.spec[key];
}

}  // namespace

Agent::Agent(kube::KubeApi& api, NodeDaemon& daemon, AgentOptions options)
    : api_(api),
      daemon_(daemon),
      options_(std::move(options)),
      osi_informer_(api, kube::kOSInstances, kNs, [this] { Poke(); }),
      node_informer_(api, kube::kNodes, "", [this] { Poke(); }) {
  // only this node's objects, never the whole cluster.
  osi_informer_.SetFieldSelector("metadata.name=" + options_.node);
  node_informer_.SetFieldSelector("metadata.name=" + options_.node);
}

void Agent::Poke() {
  {
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_one();
}

void Agent::Run(const std::atomic<bool>& stop) {
  std::thread t1([&] { osi_informer_.Run(stop); });
  std::thread t2([&] { node_informer_.Run(stop); });
  std::optional<std::chrono::steady_clock::time_point> next;
  while (!stop.load()) {
    {
      std::unique_lock lock(mutex_);
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      if (next) until = std::min(until, *next);
      wake_.wait_until(lock, until, [&] { return dirty_ || stop.load(); });
      const bool due = next && std::chrono::steady_clock::now() >= *next;
      if (!dirty_ && !due) continue;
      dirty_ = false;
    }
    if (stop.load()) break;
    if (!osi_informer_.Synced() || !node_informer_.Synced()) {
      next = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      continue;
    }
    auto again = Pass(stop);
    next.reset();
    if (again) next = std::chrono::steady_clock::now() + *again;
  }
  t1.join();
  t2.join();
}

std::optional<std::chrono::steady_clock::duration> Agent::Pass(const std::atomic<bool>& stop) {
  const auto osis = osi_informer_.Snapshot();
  const auto nodes = node_informer_.Snapshot();
  if (osis.empty() || nodes.empty()) return std::nullopt;  // the operator creates the OSInstance
  const op::OsInstanceObject osi = op::ParseOsInstance(osis.front());
  const NodeView node = ParseNodeView(nodes.front());

  std::optional<DaemonStatus> daemon;
  std::string daemon_error;
  if (osi.nodestatus != "idle") {
    auto st = daemon_.Status();
    if (st) {
      daemon = *st;
    } else {
      daemon_error = st.error().message;
    }
  }
  const Action a = Decide(osi, node, daemon ? &*daemon : nullptr);
  log::Debug(std::string("next step: ") + StepName(a.step) + ": " + a.message);
  if (a.step == Step::kNothing) return std::nullopt;
  if (a.step == Step::kWaitForDaemon && daemon_error.empty()) return options_.daemon_recheck;

  Status done;
  bool terminal = false;
  if (!daemon_error.empty()) {
    done = Fail(Errc::kFailed, "kubeosd: " + daemon_error);
  } else {
    log::Info(std::string(StepName(a.step)) + ": " + a.message,
              {{"NODE", options_.node}, {"STEP", StepName(a.step)}});
    done = Execute(a, osi, node, stop, terminal);
  }
  if (done) {
    failures_ = 0;
    last_error_.clear();
    return std::chrono::milliseconds(0);  // the next step at once
  }
  const std::string error = done.error().message;
  if (terminal) {
    if (auto r = ReportFailure(osi, node, error); !r) {
      log::Warning("report failure: " + r.error().message);
      return std::chrono::seconds(1);
    }
    failures_ = 0;  // the operation ended; the next one starts its backoff afresh
    last_error_.clear();
    return std::chrono::milliseconds(0);
  }
  // visible and retried with backoff.
  ++failures_;
  const auto delay = BackoffDelay(failures_);
  const std::string message = std::string(StepName(a.step)) + " failed, retrying in " +
                              std::to_string(delay.count()) + " s: " + error;
  log::Warning(message, {{"NODE", options_.node}, {"STEP", StepName(a.step)}});
  if (error != last_error_) {
    last_error_ = error;
    const std::string reason = a.step == Step::kDrainAndStart ? "DrainOrStartFailed" : "StepFailed";
    Event(osi, "Warning", reason, message);
    const Json status = {{"message", message},
                         {"conditions", Conditions(osi, true, reason, message)}};
    if (auto r = PatchStatus(osi, status); !r) {
      log::Warning("status: " + r.error().message);
    }
  }
  return delay;
}

Status Agent::PatchStatus(const op::OsInstanceObject& osi, const Json& status) {
  auto r = api_.MergePatch(kube::kOSInstances, kNs, osi.name, Json{{"status", status}}, "status");
  if (!r) return Fail(Errc::kFailed, "patch OSInstance status: " + r.error().ToString());
  osi_informer_.Upsert(*r);
  return {};
}

Status Agent::ClearNodeMarks(bool uncordon) {
  auto r = kube::PatchWithRetry(api_, kube::kNodes, "", options_.node, [&](const Json& current) {
    const NodeView n = ParseNodeView(current);
    const bool lift = uncordon && n.cordoned_by_proxy;
    if (!lift && n.started.empty()) return Json();
    Json annotations = {{std::string(kAnnotationStarted), nullptr}};
    // Only a cordon of ours is lifted (R-3.3 beyond); until then it stays marked as ours.
    if (lift) annotations[std::string(kAnnotationCordoned)] = nullptr;
    Json patch = {{"metadata", {{"annotations", annotations}}}};
    if (lift) patch["spec"] = {{"unschedulable", false}};
    return patch;
  });
  if (!r) return Fail(Errc::kFailed, "uncordon node: " + r.error().ToString());
  node_informer_.Upsert(*r);
  return {};
}

Status Agent::ReportFailure(const op::OsInstanceObject& osi,
                            const NodeView& node,
                            const std::string& message) {
  log::Err("operation failed: " + message, {{"NODE", options_.node}});
  Event(osi, "Warning", "Failed", message);
  if (node.cordoned_by_proxy || !node.started.empty()) {
    if (auto r = ClearNodeMarks(true); !r) return r;
  }
  return PatchStatus(osi, Json{{"phase", "Failed"},
                               {"message", message},
                               {"observedGeneration", osi.generation},
                               {"conditions", Conditions(osi, true, "Failed", message)}});
}

Json Agent::Conditions(const op::OsInstanceObject& osi,
                       bool degraded,
                       const std::string& reason,
                       const std::string& message) {
  if (degraded_ != degraded) {
    degraded_ = degraded;
    degraded_since_ = op::FormatTime(std::chrono::system_clock::now());
  }
  return Json::array({{{"type", "Degraded"},
                       {"status", degraded ? "True" : "False"},
                       {"reason", reason},
                       {"message", message},
                       {"lastTransitionTime", degraded_since_},
                       {"observedGeneration", osi.generation}}});
}

void Agent::Event(const op::OsInstanceObject& osi,
                  const std::string& type,
                  const std::string& reason,
                  const std::string& message) {
  const std::string now = op::FormatTime(std::chrono::system_clock::now());
  Json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"generateName", osi.name + "."}, {"namespace", kNs}}},
             {"involvedObject",
              {{"apiVersion", "upgrade.openeuler.org/v1alpha1"},
               {"kind", "OSInstance"},
               {"name", osi.name},
               {"namespace", kNs}}},
             {"reason", reason},
             {"message", message},
             {"type", type},
             {"source", {{"component", "kubeos-proxy"}, {"host", options_.node}}},
             {"firstTimestamp", now},
             {"lastTimestamp", now},
             {"count", 1}};
  if (auto r = api_.Create(kube::kEvents, kNs, ev); !r) {
    log::Warning("event " + reason + ": " + r.error().ToString());
  }
}

Status Agent::Execute(const Action& a,
                      const op::OsInstanceObject& osi,
                      const NodeView& node,
                      const std::atomic<bool>& stop,
                      bool& terminal) {
  switch (a.step) {
    case Step::kNothing:
    case Step::kWaitForDaemon:
      return {};
    case Step::kMarkRunning:
      Event(osi, "Normal", "Started", a.message);
      return PatchStatus(osi, Json{{"phase", "Running"},
                                   {"message", a.message},
                                   {"observedGeneration", osi.generation},
                                   {"conditions", Conditions(osi, false, "Running", a.message)}});
    case Step::kApplyConfig: {
      auto r = daemon_.RunJob("ApplyConfig", a.config.dump(), OptionMap{{"kind", a.kind}});
      if (!r) {
        terminal = Definitive(r.error().code);
        return std::unexpected(r.error());
      }
      if (!r->done) {
        terminal = true;  // kubeosd ran it and refused or failed: all-or-nothing, nothing changed
        return Fail(r->code, r->message);
      }
      Event(osi, "Normal", "ConfigApplied",
            a.kind + " version '" + op::ConfigVersion(a.config) + "' applied");
      return PatchStatus(osi, Json{{a.kind, a.config}});  // recorded at once
    }
    case Step::kCordon: {
      auto r = kube::PatchWithRetry(api_, kube::kNodes, "", options_.node, [](const Json& cur) {
        if (ParseNodeView(cur).unschedulable) return Json();  // someone else's cordon: keep it
        return Json{{"metadata", {{"annotations", {{std::string(kAnnotationCordoned), "true"}}}}},
                    {"spec", {{"unschedulable", true}}}};
      });
      if (!r) return Fail(Errc::kFailed, "cordon: " + r.error().ToString());
      node_informer_.Upsert(*r);
      Event(osi, "Normal", "Cordoned", "node " + options_.node + " cordoned");
      return {};
    }
    case Step::kUncordon:
      return ClearNodeMarks(true);
    case Step::kDrainAndStart: {
      auto os = api_.Get(kube::kOS, osi.owner_ns, osi.owner_name);
      if (!os) {
        terminal = os.error().NotFound();
        return Fail(Errc::kFailed, "read OS " + osi.owner_ns + "/" + osi.owner_name + ": " +
                                       os.error().ToString());
      }
      auto options = StartOptions(a.method, osi, *os);
      if (!options) {
        terminal = options.error().code == Errc::kInvalidArgs;
        return std::unexpected(options.error());
      }
      DrainOptions drain{EvictPodForce(*os), options_.drain_timeout, [&](const std::string& why) {
                           Event(osi, "Warning", "DrainBlocked", why);
                         }};
      Drainer drainer(api_, options_.node);
      if (auto d = drainer.Drain(drain, stop); !d) return d;  // never start undrained
      Event(osi, "Normal", "Drained", "node " + options_.node + " drained");
      auto marked = kube::PatchWithRetry(api_, kube::kNodes, "", options_.node, [&](const Json&) {
        return Json{{"metadata", {{"annotations", {{std::string(kAnnotationStarted), a.token}}}}}};
      });
      if (!marked) return Fail(Errc::kFailed, "mark node: " + marked.error().ToString());
      node_informer_.Upsert(*marked);
      Event(osi, "Normal", a.method == "Upgrade" ? "Upgrading" : "RollingBack", a.message);
      auto r = daemon_.RunJob(a.method, std::nullopt, *options);
      if (!r) {
        terminal = Definitive(r.error().code);
        // Not started (Busy, polkit, the bus): forget the mark so that the retry starts it.
        if (!terminal) {
          if (auto c = ClearNodeMarks(false); !c) log::Warning(c.error().message);
        }
        return std::unexpected(r.error());
      }
      if (!r->done) {
        terminal = true;
        return Fail(r->code, r->message);
      }
      return {};  // kubeosd reboots the node; the proxy comes back afterwards
    }
    case Step::kFinish: {
      const Json status = {{"sysconfigs", SpecBlock(osi, "sysconfigs")},
                           {"upgradeconfigs", SpecBlock(osi, "upgradeconfigs")},
                           {"phase", "Succeeded"},
                           {"message", a.message},
                           {"observedGeneration", osi.generation},
                           {"conditions", Conditions(osi, false, "Succeeded", a.message)}};
      if (auto r = PatchStatus(osi, status); !r) return r;
      if (node.cordoned_by_proxy || !node.started.empty()) {
        if (auto r = ClearNodeMarks(true); !r) return r;
      }
      const auto generation = osi.generation;
      auto r = kube::PatchWithRetry(api_, kube::kOSInstances, kNs, osi.name, [&](const Json& cur) {
        // A new dispatch arrived meanwhile: it is not finished.
        if (op::ParseOsInstance(cur).generation != generation) return Json();
        return Json{{"spec", {{"nodestatus", "idle"}}}};
      });
      if (!r) return Fail(Errc::kFailed, "set nodestatus idle: " + r.error().ToString());
      osi_informer_.Upsert(*r);
      Event(osi, "Normal", "Completed", a.message);
      return {};
    }
    case Step::kFail:
      terminal = true;
      return Fail(Errc::kFailed, a.message);
  }
  return {};
}

}  // namespace kubeos::proxy
