// SPDX-License-Identifier: MulanPSL-2.0
// The port through which the proxy talks to kubeosd (real: DbusNodeDaemon over the host's system
// bus; tests: an in-process fake).
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "proxy/core/node_view.h"
#include "proxy/core/start_options.h"

namespace kubeos::proxy {

class NodeDaemon {
 public:
  virtual ~NodeDaemon() = default;

  // How a job ended: done, or failed/cancelled with the Errc of its error name.
  struct JobEnd {
    bool done = false;
    Errc code = Errc::kFailed;
    std::string message;
  };

  virtual Result<DaemonStatus> Status() = 0;
  // Calls |method| ("Upgrade", "Rollback" or "ApplyConfig" with |config_json|) and waits until its
  // job ends. An error means the call failed and no job ran (its Errc says why).
  virtual Result<JobEnd> RunJob(const std::string& method,
                                const std::optional<std::string>& config_json,
                                const OptionMap& options) = 0;
};

}  // namespace kubeos::proxy
