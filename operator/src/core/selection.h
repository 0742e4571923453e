// SPDX-License-Identifier: MulanPSL-2.0
// Which worker nodes an OS addresses and which OS objects conflict
//
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/model.h"

namespace kubeos::op {

inline constexpr std::string_view kNoLabel = "no-label";
inline constexpr std::string_view kAllLabel = "all-label";

bool IsControlPlane(const NodeObject& node);

// nodeselector semantics of the seed: unset or "no-label" → nodes without the
// node-selector label; "all-label" → every worker; any other value, "" included
// → label equal to it.
bool Selects(const OsObject& os, const NodeObject& node);

// Whether |os| selects at least one of |nodes|.
bool SelectsAny(const OsObject& os, const std::vector<NodeObject>& nodes);

// Names of the OSInstances whose node is gone (upstream deletes them too).
std::vector<std::string> OrphanedOsInstances(
    const std::vector<NodeObject>& nodes,
    const std::map<std::string, OsInstanceObject>& osinstances);

// Worker nodes selected by |os|, sorted by name.
std::vector<const NodeObject*> SelectedNodes(const OsObject& os,
                                             const std::vector<NodeObject>& nodes);

// For every OS that may not act, why ("os key" → message). The oldest OS
// (creation time, then namespace/name) keeps a selector; a later OS with the
// same selector conflicts; an all-label OS and any other OS conflict when both
// select at least one node (all-label must be the only effective OS).
std::map<std::string, std::string> FindConflicts(const std::vector<OsObject>& all,
                                                 const std::vector<NodeObject>& nodes);

}  // namespace kubeos::op
