// SPDX-License-Identifier: MulanPSL-2.0
// Conversions between sdbus-c++ values and core types: option dictionaries in, Status and errors
// out. The only place that knows both vocabularies.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <string>

#include "base/error.h"
#include "core/engine.h"
#include "core/requests.h"

namespace kubeos::dbus {

using VariantMap = std::map<std::string, sdbus::Variant>;

[[nodiscard]] core::Options ToOptions(const VariantMap& options);
[[nodiscard]] VariantMap EncodeStatus(const core::StatusReport& status);
[[nodiscard]] sdbus::Error ToDbusError(const Error& error);
[[nodiscard]] sdbus::ObjectPath JobPath(uint32_t job_id);

}  // namespace kubeos::dbus
