// SPDX-License-Identifier: MulanPSL-2.0
#include "core/selection.h"

#include <gtest/gtest.h>

namespace kubeos::op {
namespace {

NodeObject Node(std::string name, std::map<std::string, std::string> labels = {}) {
  return NodeObject{std::move(name), std::move(labels), "v1"};
}

OsObject Os(std::string name,
            std::optional<std::string> selector,
            std::string created = "2026-01-01T00:00:00Z") {
  OsObject o;
  o.ns = "default";
  o.name = std::move(name);
  o.nodeselector = std::move(selector);
  o.creation = std::move(created);
  return o;
}

std::vector<std::string> Names(const std::vector<const NodeObject*>& v) {
  std::vector<std::string> out;
  for (auto* n : v) out.push_back(n->name);
  return out;
}

const std::string kSel(kLabelNodeSelector);

class SelectionTest : public ::testing::Test {
 protected:
  std::vector<NodeObject> nodes_ = {
      Node("a"),                      // no label
      Node("b", {{kSel, ""}}),        // empty value
      Node("c", {{kSel, "kubeos"}}),  // a value
      Node("d", {{kSel, "other"}}),
      Node("master", {{std::string(kLabelControlPlane), ""}}),
  };
};

TEST_F(SelectionTest, UnsetAndNoLabelSelectNodesWithoutTheLabel) {
  EXPECT_EQ(Names(SelectedNodes(Os("x", std::nullopt), nodes_)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Names(SelectedNodes(Os("x", "no-label"), nodes_)), (std::vector<std::string>{"a"}));
}

TEST_F(SelectionTest, EmptyStringSelectsNodesWithAnEmptyLabelValue) {
  EXPECT_EQ(Names(SelectedNodes(Os("x", ""), nodes_)), (std::vector<std::string>{"b"}));
}

TEST_F(SelectionTest, ValueSelectsNodesWithThatValue) {
  EXPECT_EQ(Names(SelectedNodes(Os("x", "kubeos"), nodes_)), (std::vector<std::string>{"c"}));
}

TEST_F(SelectionTest, AllLabelSelectsEveryWorkerButNeverTheControlPlane) {
  EXPECT_EQ(Names(SelectedNodes(Os("x", "all-label"), nodes_)),
            (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(SelectionTest, LaterOsWithTheSameSelectorConflicts) {
  auto c =
      FindConflicts({Os("new", "kubeos", "2026-01-02T00:00:00Z"), Os("old", "kubeos")}, nodes_);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.contains("default/new"));
}

TEST_F(SelectionTest, UnsetAndNoLabelAreTheSameSelector) {
  auto c = FindConflicts({Os("old", std::nullopt), Os("new", "no-label", "2026-01-02T00:00:00Z")},
                         nodes_);
  EXPECT_TRUE(c.contains("default/new"));
  EXPECT_FALSE(c.contains("default/old"));
}

TEST_F(SelectionTest, AllLabelMustBeTheOnlyEffectiveOs) {
  auto c =
      FindConflicts({Os("all", "all-label"), Os("v", "kubeos", "2026-01-02T00:00:00Z")}, nodes_);
  EXPECT_TRUE(c.contains("default/v"));
  // An OS that selects no node is not effective, so it does not conflict.
  auto none =
      FindConflicts({Os("all", "all-label"), Os("v", "nobody", "2026-01-02T00:00:00Z")}, nodes_);
  EXPECT_TRUE(none.empty());
}

TEST_F(SelectionTest, DistinctSelectorsDoNotConflict) {
  EXPECT_TRUE(FindConflicts(
                  {Os("a", "kubeos"), Os("b", "other"), Os("c", ""), Os("d", std::nullopt)}, nodes_)
                  .empty());
}

TEST_F(SelectionTest, SelectsAnyIsTrueWhenSomeWorkerIsSelected) {
  EXPECT_TRUE(SelectsAny(Os("x", "kubeos"), nodes_));
  EXPECT_FALSE(SelectsAny(Os("x", "nobody"), nodes_));
}

TEST_F(SelectionTest, OsInstancesOfRemovedNodesAreOrphans) {
  std::map<std::string, OsInstanceObject> osis;
  for (const char* n : {"a", "gone", "master", "zz"}) osis[n].name = n;
  EXPECT_EQ(OrphanedOsInstances(nodes_, osis), (std::vector<std::string>{"gone", "zz"}));
}

}  // namespace
}  // namespace kubeos::op
