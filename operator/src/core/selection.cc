// SPDX-License-Identifier: MulanPSL-2.0
#include "core/selection.h"

#include <algorithm>

namespace kubeos::op {
namespace {

std::string SelectorKey(const OsObject& os) {
  if (!os.nodeselector || *os.nodeselector == kNoLabel) return std::string(kNoLabel);
  if (*os.nodeselector == kAllLabel) return std::string(kAllLabel);
  return "=" + *os.nodeselector;
}

}  // namespace

bool IsControlPlane(const NodeObject& node) {
  return node.labels.contains(std::string(kLabelControlPlane)) ||
         node.labels.contains(std::string(kLabelMaster));
}

bool Selects(const OsObject& os, const NodeObject& node) {
  if (IsControlPlane(node)) return false;
  auto it = node.labels.find(std::string(kLabelNodeSelector));
  const std::string key = SelectorKey(os);
  if (key == kAllLabel) return true;
  if (key == kNoLabel) return it == node.labels.end();
  return it != node.labels.end() && it->second == *os.nodeselector;
}

std::vector<const NodeObject*> SelectedNodes(const OsObject& os,
                                             const std::vector<NodeObject>& nodes) {
  std::vector<const NodeObject*> out;
  for (const auto& n : nodes) {
    if (Selects(os, n)) out.push_back(&n);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
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
  for (const OsObject* os : order) {
    const std::string key = SelectorKey(*os);
    const bool effective = !SelectedNodes(*os, nodes).empty();
    for (const OsObject* w : winners) {
      const std::string wkey = SelectorKey(*w);
      const bool same = wkey == key;
      const bool all_label =
          (wkey == kAllLabel || key == kAllLabel) && effective && !SelectedNodes(*w, nodes).empty();
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
