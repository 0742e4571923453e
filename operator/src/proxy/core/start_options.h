// SPDX-License-Identifier: MulanPSL-2.0
// The options of kubeosd's Upgrade/Rollback call for one dispatch: the version and post-reboot
// sysconfigs from the OSInstance, the image and certificates from the OS it names.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "base/error.h"
#include "core/model.h"

namespace kubeos::proxy {

using OptionMap = std::map<std::string, std::variant<std::string, bool>>;

// |os| is the whole OS object. Fails when it is not the generation the node was dispatched for
// (the operator re-dispatches a changed OS) or names no image.
Result<OptionMap> StartOptions(const std::string& method,
                               const op::OsInstanceObject& osi,
                               const nlohmann::json& os);

// spec.evictpodforce of the OS object (false when absent).
bool EvictPodForce(const nlohmann::json& os);

}  // namespace kubeos::proxy
