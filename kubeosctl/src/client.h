// SPDX-License-Identifier: MulanPSL-2.0
// kubeosctl's connection to kubeosd: calls on org.openeuler.KubeOS1, job progress and the end of
// a job (JobRemoved, subscribed before any job is started so none is missed).
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/error.h"
#include "os_resource.h"

namespace kubeos::ctl {

using VariantMap = std::map<std::string, sdbus::Variant>;

struct JobInfo {
  uint32_t id = 0;
  std::string path;
  std::string type;
  std::string stage;
  uint32_t progress = 0;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
};

struct JobEnd {
  std::string result;  // "done", "failed", "cancelled"
  std::string error_name;
  std::string message;
};

class Client {
 public:
  // Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS is honoured).
  [[nodiscard]] static Result<std::unique_ptr<Client>> Connect();
  ~Client();

  [[nodiscard]] Result<VariantMap> Status();
  // Calls Upgrade/Rollback (options) or ApplyConfig (config_json, options) and returns the job's
  // object path. |interactive| lets polkit ask for a password.
  [[nodiscard]] Result<std::string> StartJob(const std::string& method,
                                             const std::optional<std::string>& config_json,
                                             const OptionMap& options,
                                             bool interactive);
  // The job's properties; kNoSuchJob once it is gone.
  [[nodiscard]] Result<JobInfo> Job(const std::string& path);
  // Waits for the job to end, reporting its properties to |on_progress| a few times a second;
  // when |interrupted| turns true the job is cancelled (once) and the wait goes on.
  [[nodiscard]] Result<JobEnd> Wait(const std::string& path,
                                    const std::function<void(const JobInfo&)>& on_progress,
                                    const std::function<bool()>& interrupted,
                                    bool interactive);
  [[nodiscard]] kubeos::Status Cancel(const std::string& path, bool interactive);

 private:
  Client() = default;

  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IProxy> manager_;
  std::mutex mu_;
  std::condition_variable ended_cv_;
  std::map<std::string, JobEnd> ended_;  // guarded by mu_
};

// Maps a D-Bus error to an Error, keeping unknown error names in the message.
[[nodiscard]] Error FromDbusError(const sdbus::Error& e);

}  // namespace kubeos::ctl
