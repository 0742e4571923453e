// SPDX-License-Identifier: MulanPSL-2.0
#include "dbus/polkit_authorizer.h"

#include <chrono>
#include <map>

#include "base/log.h"
#include "kubeos/dbus/raw_message.h"

namespace kubeos::dbus {
namespace {

using Subject = sdbus::Struct<std::string, std::map<std::string, sdbus::Variant>>;
using AuthResult = sdbus::Struct<bool, bool, std::map<std::string, std::string>>;

constexpr uint32_t kAllowUserInteraction = 1;

}  // namespace

Caller CurrentCaller(const sdbus::Message& message) {
  Caller caller;
  caller.bus_name = message.getSender();
  caller.allow_interactive = AllowsInteractiveAuthorization(message);
  try {
    caller.uid = message.getCredsEuid();
  } catch (const sdbus::Error&) {
    // Credentials are only for the log line; polkit looks the subject up itself.
  }
  return caller;
}

PolkitAuthorizer::PolkitAuthorizer(sdbus::IConnection& connection)
    : proxy_(sdbus::createProxy(
          connection, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority")) {
  proxy_->finishRegistration();
}

void PolkitAuthorizer::Check(const Caller& caller,
                             std::string_view action_view,
                             std::function<void(Status)> done) {
  const std::string action(action_view);
  auto deny = [caller, action](Errc code, const std::string& why) -> Status {
    log::Log(LOG_WARNING,
             "Refused " + action + " for " + caller.bus_name + " (uid " +
                 std::to_string(caller.uid) + "): " + why,
             {{"ACTION", action}, {"SENDER", caller.bus_name}, {"UID", std::to_string(caller.uid)}},
             log::kMsgAccessDenied);
    return Fail(code, why);
  };
  const Subject subject{
      std::string("system-bus-name"),
      std::map<std::string, sdbus::Variant>{{"name", sdbus::Variant(caller.bus_name)}}};
  try {
    proxy_->callMethodAsync("CheckAuthorization")
        .onInterface("org.freedesktop.PolicyKit1.Authority")
        // An interactive check waits for a human; a plain one must not hang the caller.
        .withTimeout(caller.allow_interactive ? std::chrono::seconds(300)
                                              : std::chrono::seconds(25))
        .withArguments(subject, action, std::map<std::string, std::string>{},
                       caller.allow_interactive ? kAllowUserInteraction : 0u, std::string())
        .uponReplyInvoke([done, deny, action](const sdbus::Error* error, AuthResult reply) {
          if (error != nullptr) {
            // No polkit, no privileged operation.
            done(deny(Errc::kAccessDenied, "authorization check failed (" + error->getName() +
                                               ": " + error->getMessage() + ")"));
            return;
          }
          const bool authorized = std::get<0>(reply);
          const bool challenge = std::get<1>(reply);
          if (authorized) {
            done({});
          } else if (challenge) {
            done(deny(Errc::kInteractiveAuthRequired,
                      "interactive authentication required for " + action));
          } else {
            done(deny(Errc::kAccessDenied, "not authorized for " + action));
          }
        });
  } catch (const sdbus::Error& e) {
    done(deny(Errc::kAccessDenied, "authorization check failed (" + e.getName() + ")"));
  }
}

}  // namespace kubeos::dbus
