// SPDX-License-Identifier: MulanPSL-2.0
// The ALLOW_INTERACTIVE_AUTHORIZATION header flag of a message, which sdbus-c++ 1.2 does not
// expose: kubeosd reads it to let polkit ask for a password, kubeosctl sets it on a terminal.
#pragma once

#include <sdbus-c++/sdbus-c++.h>
#include <systemd/sd-bus.h>

namespace kubeos::dbus {

// Message::msg_ is protected; a pointer-to-member formed through a derived class reaches it
// without undefined behaviour. Pinned to sdbus-c++ 1.2.x (find_package in the top CMakeLists).
struct RawMessage : sdbus::Message {
  static sd_bus_message* Get(const sdbus::Message& m) {
    constexpr auto member = &RawMessage::msg_;
    return static_cast<sd_bus_message*>(m.*member);
  }
};

inline bool AllowsInteractiveAuthorization(const sdbus::Message& m) {
  return sd_bus_message_get_allow_interactive_authorization(RawMessage::Get(m)) > 0;
}

inline void SetAllowInteractiveAuthorization(sdbus::Message& m, bool allow) {
  sd_bus_message_set_allow_interactive_authorization(RawMessage::Get(m), allow ? 1 : 0);
}

}  // namespace kubeos::dbus
