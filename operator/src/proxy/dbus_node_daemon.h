// SPDX-License-Identifier: MulanPSL-2.0
// NodeDaemon over the system bus ($DBUS_SYSTEM_BUS_ADDRESS is honoured), with kubeosctl's client
// of the generated contract; reconnects after a failed call.
#pragma once

#include <memory>
#include <mutex>

#include "proxy/node_daemon.h"

namespace kubeos::ctl {
class Client;
}

namespace kubeos::proxy {

class DbusNodeDaemon final : public NodeDaemon {
 public:
  DbusNodeDaemon();
  ~DbusNodeDaemon() override;

  Result<DaemonStatus> Status() override;
  Result<JobEnd> RunJob(const std::string& method,
                        const std::optional<std::string>& config_json,
                        const OptionMap& options) override;

 private:
  Result<ctl::Client*> Connected();

  std::mutex mutex_;
  std::unique_ptr<ctl::Client> client_;
};

}  // namespace kubeos::proxy
