// SPDX-License-Identifier: MulanPSL-2.0
// Names of the public D-Bus contract shared by kubeosd, kubeosctl and kubeos-proxy.
#pragma once

#include <string_view>

namespace kubeos::dbus {

inline constexpr std::string_view kBusName = "org.openeuler.KubeOS1";
inline constexpr std::string_view kObjectPath = "/org/openeuler/KubeOS1";
inline constexpr std::string_view kInterface = "org.openeuler.KubeOS1";
inline constexpr std::string_view kJobInterface = "org.openeuler.KubeOS1.Job";
inline constexpr std::string_view kJobPathPrefix = "/org/openeuler/KubeOS1/job/";

inline constexpr std::string_view kActionUpgrade = "org.openeuler.kubeos1.upgrade";
inline constexpr std::string_view kActionRollback = "org.openeuler.kubeos1.rollback";
inline constexpr std::string_view kActionApplyConfig = "org.openeuler.kubeos1.apply-config";

}  // namespace kubeos::dbus
