// SPDX-License-Identifier: MulanPSL-2.0
// kubeos-proxy's loop: watches only its own OSInstance and Node (field selectors, no
// polling of the API server), asks Decide for the next step, performs it (API writes, drain,
// kubeosd), and reports every error in status.message, the Degraded condition, an Event and the
// log, retrying with backoff.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "kube/informer.h"
#include "kube/kube_api.h"
#include "proxy/core/decide.h"
#include "proxy/node_daemon.h"

namespace kubeos::proxy {

struct AgentOptions {
  std::string node;
  std::chrono::seconds drain_timeout{600};
  // How often kubeosd is asked again while it is busy or about to reboot (the API server is
  // never polled).
  std::chrono::seconds daemon_recheck{5};
};

class Agent {
 public:
  Agent(kube::KubeApi& api, NodeDaemon& daemon, AgentOptions options);

  void Run(const std::atomic<bool>& stop);

 private:
  void Poke();
  // One decision and its step; returns when to look again without a change (nullopt: only on a
  // change).
  std::optional<std::chrono::steady_clock::duration> Pass(const std::atomic<bool>& stop);
  // Performs |a|. An error is retried with backoff unless it is |terminal|.
  Status Execute(const Action& a,
                 const op::OsInstanceObject& osi,
                 const NodeView& node,
                 const std::atomic<bool>& stop,
                 bool& terminal);
  Status PatchStatus(const op::OsInstanceObject& osi, const kube::Json& status);
  // status.conditions with the one condition the proxy keeps, Degraded: True while a step fails
  // (retried or final), False once an operation starts or succeeds. Its lastTransitionTime moves
  // only when its status does.
  kube::Json Conditions(const op::OsInstanceObject& osi,
                        bool degraded,
                        const std::string& reason,
                        const std::string& message);
  Status ClearNodeMarks(bool uncordon);
  Status ReportFailure(const op::OsInstanceObject& osi,
                       const NodeView& node,
                       const std::string& message);
  void Event(const op::OsInstanceObject& osi,
             const std::string& type,
             const std::string& reason,
             const std::string& message);

  kube::KubeApi& api_;
  NodeDaemon& daemon_;
  AgentOptions options_;
  kube::Informer osi_informer_, node_informer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool dirty_ = true;
  int failures_ = 0;
  std::string last_error_;
  std::optional<bool> degraded_;
  std::string degraded_since_;
};

}  // namespace kubeos::proxy
