// SPDX-License-Identifier: MulanPSL-2.0
// Asks polkit whether the sender of a D-Bus call may perform an action, asynchronously, so an
// interactive authentication (minutes) never blocks the daemon. Fails closed.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <functional>
#include <memory>
#include <string>

#include "base/error.h"

namespace kubeos::dbus {

struct Caller {
  std::string bus_name;                // unique name, e.g. ":1.42": the polkit subject
  uid_t uid = static_cast<uid_t>(-1);  // for logs only
  bool allow_interactive = false;      // the message's ALLOW_INTERACTIVE_AUTHORIZATION flag
};

// Reads the caller of the message being processed (valid only inside a method handler).
[[nodiscard]] Caller CurrentCaller(const sdbus::Message& message);

class PolkitAuthorizer {
 public:
  explicit PolkitAuthorizer(sdbus::IConnection& connection);

  // |done| runs on the bus thread with success, Errc::kAccessDenied or
  // Errc::kInteractiveAuthRequired (when polkit would ask but the caller did not allow it).
  void Check(const Caller& caller, std::string_view action, std::function<void(Status)> done);

 private:
  std::unique_ptr<sdbus::IProxy> proxy_;
};

}  // namespace kubeos::dbus
