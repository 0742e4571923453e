// SPDX-License-Identifier: MulanPSL-2.0
#include "proxy/dbus_node_daemon.h"

#include "client.h"

namespace kubeos::proxy {
namespace {

template <typename T>
T Get(const ctl::VariantMap& m, const char* key, T fallback) {
  auto it = m.find(key);
  if (it == m.end() || !it->second.containsValueOfType<T>()) return fallback;
  return it->second.get<T>();
}

}  // namespace

DbusNodeDaemon::DbusNodeDaemon() = default;
DbusNodeDaemon::~DbusNodeDaemon() = default;

Result<ctl::Client*> DbusNodeDaemon::Connected() {
  if (!client_) {
    auto c = ctl::Client::Connect();
    if (!c) return std::unexpected(std::move(c).error());
    client_ = std::move(*c);
  }
  return client_.get();
}

Result<DaemonStatus> DbusNodeDaemon::Status() {
  std::lock_guard lock(mutex_);
  auto client = Connected();
  if (!client) return std::unexpected(std::move(client).error());
  auto m = (*client)->Status();
  if (!m) {
    client_.reset();  // the bus may have gone; connect afresh next time
    return std::unexpected(std::move(m).error().Wrap("kubeosd Status"));
  }
  DaemonStatus s;
  s.booted_version = Get<std::string>(*m, "booted-version", "");
  s.state = Get<std::string>(*m, "state", "");
  s.active_job = Get<sdbus::ObjectPath>(*m, "active-job", sdbus::ObjectPath("/"));
  s.sysconfigs_version = Get<std::string>(*m, "sysconfigs-version", "");
  s.upgradeconfigs_version = Get<std::string>(*m, "upgradeconfigs-version", "");
  s.pending_reboot = Get<bool>(*m, "pending-reboot", false);
  s.last_error = Get<std::string>(*m, "last-error", "");
  return s;
}

Result<NodeDaemon::JobEnd> DbusNodeDaemon::RunJob(const std::string& method,
                                                  const std::optional<std::string>& config_json,
                                                  const OptionMap& options) {
  std::lock_guard lock(mutex_);
  auto client = Connected();
  if (!client) return std::unexpected(std::move(client).error());
  auto job = (*client)->StartJob(method, config_json, options, false);
  if (!job) return std::unexpected(std::move(job).error().Wrap("kubeosd " + method));
  auto end = (*client)->Wait(*job, nullptr, nullptr, false);
  if (!end) {
    // The job ran but its end was missed (e.g. kubeosd restarted): Status tells the rest.
    return JobEnd{false, end.error().code, "kubeosd job " + *job + ": " + end.error().message};
  }
  if (end->result == "done") return JobEnd{true, Errc::kFailed, ""};
  const Errc code = end->result == "cancelled" ? Errc::kCancelled : ErrcFromName(end->error_name);
  return JobEnd{false, code,
                "kubeosd job " + *job + " " + end->result + ": " +
                    (end->error_name.empty() ? "" : end->error_name + ": ") + end->message};
}

}  // namespace kubeos::proxy
