// SPDX-License-Identifier: MulanPSL-2.0
#include "client.h"

#include <chrono>

#include "kubeos/dbus/names.h"
#include "kubeos/dbus/raw_message.h"

namespace kubeos::ctl {
namespace {

const std::string kBus(dbus::kBusName);
const std::string kPath(dbus::kObjectPath);
const std::string kIface(dbus::kInterface);
const std::string kJobIface(dbus::kJobInterface);

template <typename T>
T ValueOr(const VariantMap& m, const char* key, T fallback) {
  auto it = m.find(key);
  if (it == m.end() || !it->second.containsValueOfType<T>()) return fallback;
  return it->second.get<T>();
}

}  // namespace

Error FromDbusError(const sdbus::Error& e) {
  const Errc code = ErrcFromName(e.getName());
  if (code == Errc::kFailed && e.getName() != ErrorName(Errc::kFailed)) {
    return Error{code, e.getName() + ": " + e.getMessage()};
  }
  return Error{code, e.getMessage()};
}

Result<std::unique_ptr<Client>> Client::Connect() {
  std::unique_ptr<Client> client(new Client());
  try {
    client->connection_ = sdbus::createSystemBusConnection();
    client->manager_ = sdbus::createProxy(*client->connection_, kBus, kPath);
    Client* self = client.get();
    client->manager_->uponSignal("JobRemoved")
        .onInterface(kIface)
        .call([self](uint32_t, const sdbus::ObjectPath& job, const std::string& result,
                     const std::string& error_name, const std::string& message) {
          std::lock_guard lock(self->mu_);
          self->ended_[job] = JobEnd{result, error_name, message};
          self->ended_cv_.notify_all();
        });
    client->manager_->finishRegistration();
    client->connection_->enterEventLoopAsync();
  } catch (const sdbus::Error& e) {
    return std::unexpected(FromDbusError(e).Wrap("connect to the system bus"));
  }
  return client;
}

Client::~Client() {
  if (connection_) connection_->leaveEventLoop();
}

Result<VariantMap> Client::Status() {
  try {
    VariantMap status;
    manager_->callMethod("Status").onInterface(kIface).storeResultsTo(status);
    return status;
  } catch (const sdbus::Error& e) {
    return std::unexpected(FromDbusError(e));
  }
}

Result<std::string> Client::StartJob(const std::string& method,
                                     const std::optional<std::string>& config_json,
                                     const OptionMap& options,
                                     bool interactive) {
  VariantMap dict;
  for (const auto& [key, value] : options) {
    std::visit([&, k = key](const auto& v) { dict.emplace(k, sdbus::Variant(v)); }, value);
  }
  try {
    auto call = manager_->createMethodCall(kIface, method);
    if (config_json) call << *config_json;
    call << dict;
    dbus::SetAllowInteractiveAuthorization(call, interactive);
    // Interactive authentication waits for a human.
    auto reply = manager_->callMethod(call, interactive ? 300'000'000 : 60'000'000);
    sdbus::ObjectPath job;
    reply >> job;
    return std::string(job);
  } catch (const sdbus::Error& e) {
    return std::unexpected(FromDbusError(e));
  }
}

Result<JobInfo> Client::Job(const std::string& path) {
  try {
    auto proxy = sdbus::createProxy(*connection_, kBus, path);
    proxy->finishRegistration();
    VariantMap props;
    proxy->callMethod("GetAll")
        .onInterface("org.freedesktop.DBus.Properties")
        .withArguments(kJobIface)
        .storeResultsTo(props);
    return JobInfo{
        ValueOr<uint32_t>(props, "Id", 0),        path,
        ValueOr<std::string>(props, "Type", ""),  ValueOr<std::string>(props, "Stage", ""),
        ValueOr<uint32_t>(props, "Progress", 0),  ValueOr<uint64_t>(props, "BytesDone", 0),
        ValueOr<uint64_t>(props, "BytesTotal", 0)};
  } catch (const sdbus::Error& e) {
    if (e.getName() == "org.freedesktop.DBus.Error.UnknownObject" ||
        e.getName() == "org.freedesktop.DBus.Error.UnknownInterface" ||
        e.getName() == "org.freedesktop.DBus.Error.UnknownMethod") {
      return Fail(Errc::kNoSuchJob, "job " + path + " does not exist");
    }
    return std::unexpected(FromDbusError(e));
  }
}

Result<JobEnd> Client::Wait(const std::string& path,
                            const std::function<void(const JobInfo&)>& on_progress,
                            const std::function<bool()>& interrupted,
                            bool interactive) {
  bool cancel_sent = false;
  int missing = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (ended_cv_.wait_for(lock, std::chrono::milliseconds(250),
                             [&] { return ended_.count(path) > 0; })) {
        return ended_.at(path);
      }
    }
    if (!cancel_sent && interrupted && interrupted()) {
      cancel_sent = true;
      if (auto st = Cancel(path, interactive); !st && st.error().code != Errc::kNoSuchJob) {
        return std::unexpected(std::move(st).error().Wrap("cancel"));
      }
    }
    auto info = Job(path);
    if (info) {
      missing = 0;
      if (on_progress) on_progress(*info);
    } else if (info.error().code != Errc::kNoSuchJob) {
      return std::unexpected(std::move(info).error());
    } else if (++missing > 8) {
      // The object goes right after JobRemoved; two seconds without either means the job
      // ended before we subscribed.
      return Fail(Errc::kNoSuchJob, "job " + path + " ended; its result is in `kubeosctl status`");
    }
  }
}

kubeos::Status Client::Cancel(const std::string& path, bool interactive) {
  try {
    auto proxy = sdbus::createProxy(*connection_, kBus, path);
    proxy->finishRegistration();
    auto call = proxy->createMethodCall(kJobIface, "Cancel");
    dbus::SetAllowInteractiveAuthorization(call, interactive);
    proxy->callMethod(call);
    return {};
  } catch (const sdbus::Error& e) {
    if (e.getName() == "org.freedesktop.DBus.Error.UnknownObject") {
      return Fail(Errc::kNoSuchJob, "job " + path + " does not exist");
    }
    return std::unexpected(FromDbusError(e));
  }
}

}  // namespace kubeos::ctl
