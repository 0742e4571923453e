// SPDX-License-Identifier: MulanPSL-2.0
// What the proxy reads from its Node and from kubeosd's Status, decoded into plain values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kubeos::proxy {

using Json = nlohmann::json;

// Set on the Node together with spec.unschedulable=true when the proxy cordoned it; a node
// without it was cordoned by someone else and stays cordoned (R-3.3 beyond).
inline constexpr std::string_view kAnnotationCordoned = "upgrade.openeuler.org/proxy-cordoned";
// The dispatch ("ns/name/osgeneration") for which the proxy asked kubeosd to upgrade or roll
// back, written before the call: after the reboot, a node that is not at the target version
// although it was asked failed (no endless re-download as upstream).
inline constexpr std::string_view kAnnotationStarted = "upgrade.openeuler.org/proxy-started";

struct NodeView {
  std::string name;
  std::string resource_version;
  bool unschedulable = false;
  std::string os_image;
  bool cordoned_by_proxy = false;
  std::string started;  // kAnnotationStarted, "" when absent
};

NodeView ParseNodeView(const Json& node);

// kubeosd's Status (interfaces.md), the keys the proxy decides on.
struct DaemonStatus {
  std::string booted_version;
  std::string state;
  std::string active_job = "/";
  std::string sysconfigs_version;
  std::string upgradeconfigs_version;
  bool pending_reboot = false;
  std::string last_error;

  [[nodiscard]] bool Busy() const { return !active_job.empty() && active_job != "/"; }
};

}  // namespace kubeos::proxy
