// SPDX-License-Identifier: MulanPSL-2.0
#include "core/selection.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace kubeos::op {
namespace {

std::string SelectorKey(const OsObject& os) {
  if (!os.nodeselector || *os.nodeselector == kNoLabel) return std::string(kNoLabel);
  if (*os.nodeselector == kAllLabel) return std::string(kAllLabel);
  return "=" + *os.nodeselector;
}

}  // namespace

bool IsControlPlane(const NodeObject& node) {
  static const std::string control_plane(kLabelControlPlane), master(kLabelMaster);
  return node.labels.contains(control_plane) || node.labels.contains(master);
}

bool Selects(const OsObject& os, const NodeObject& node) {
  static const std::string selector_label(kLabelNodeSelector);
  if (IsControlPlane(node)) return false;
  auto it = node.labels.find(selector_label);
  if (!os.nodeselector || *os.nodeselector == kNoLabel) return it == node.labels.end();
  if (*os.nodeselector == kAllLabel) return true;
  return it != node.labels.end() && it->second == *os.nodeselector;
}

bool SelectsAny(const OsObject& os, const std::vector<NodeObject>& nodes) {
  return std::any_of(nodes.begin(), nodes.end(), [&](const auto& n) { return Selects(os, n); });
}

std::vector<const NodeObject*> SelectedNodes(const OsObject& os,
                                             const std::vector<NodeObject>& nodes) {
  std::vector<const NodeObject*> out;
  for (const auto& n : nodes) {
    if (Selects(os, n)) out.push_back(&n);
  }
  auto by_name = [](auto* a, auto* b) { return a->name < b->name; };
  if (!std::is_sorted(out.begin(), out.end(), by_name)) std::sort(out.begin(), out.end(), by_name);
  return out;
}

std::vector<std::string> OrphanedOsInstances(
    const std::vector<NodeObject>& nodes,
    const std::map<std::string, OsInstanceObject>& osinstances) {
  std::vector<std::string> out;
  auto by_name = [](const NodeObject& a, const NodeObject& b) { return a.name < b.name; };
  if (std::is_sorted(nodes.begin(), nodes.end(), by_name)) {  // the usual case: one walk
    auto n = nodes.begin();
    for (const auto& [name, osi] : osinstances) {
      while (n != nodes.end() && n->name < name) ++n;
      if (n == nodes.end() || n->name != name) out.push_back(name);
    }
    return out;
  }
  std::set<std::string_view> names;
  for (const auto& n : nodes) names.insert(n.name);
  for (const auto& [name, osi] : osinstances) {
    if (!names.contains(name)) out.push_back(name);
  }
  return out;
}

std::map<std::string, std::string> FindConflicts(const std::vector<OsObject>& all,
                                                 const std::vector<NodeObject>& nodes) {
  std::vector<const OsObject*> order;
  for (const auto& os : all) order.push_back(&os);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return std::tie(a->creation, a->ns, a->name) < std::tie(b->creation, b->ns, b->name);
  });
  std::map<std::string, std::string> conflicts;
  std::vector<const OsObject*> winners;
  std::map<const OsObject*, bool> effective;  // selects at least one node
  for (const OsObject* os : order) effective[os] = SelectsAny(*os, nodes);
  for (const OsObject* os : order) {
    const std::string key = SelectorKey(*os);
    for (const OsObject* w : winners) {
      const std::string wkey = SelectorKey(*w);
      const bool same = wkey == key;
      const bool all_label =
          (wkey == kAllLabel || key == kAllLabel) && effective[os] && effective[w];
      if (same || all_label) {
        conflicts[os->Key()] = "nodeselector " +
                               (os->nodeselector ? "\"" + *os->nodeselector + "\"" : "(unset)") +
                               " conflicts with OS " + w->Key();
        break;
      }
    }
    if (!conflicts.contains(os->Key())) winners.push_back(os);
  }
  return conflicts;
}

}  // namespace kubeos::op
