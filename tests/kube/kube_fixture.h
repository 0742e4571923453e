// SPDX-License-Identifier: MulanPSL-2.0
// Shared pieces of the kube tests: the running test cluster (tests/kube/cluster
// up), kubectl, operator processes, and a node simulator that plays the proxy's
// part.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/curl_kube_api.h"
#include "node_simulator.h"

namespace kubeos::kubetest {

using kube::Json;

class KubeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Deletes every OS, OSInstance, Node and the operator Lease, and waits until
  // they are gone.
  void Clean();
  void AddNode(const std::string& name,
               const std::string& os_image,
               std::map<std::string, std::string> labels = {});
  std::string NodeImage(const std::string& name);
  // Starts kubeos-operator with |args| added; returns its pid. Logs go to the
  // cluster dir.
  pid_t StartOperator(std::vector<std::string> args = {});
  void StopOperator(pid_t pid);
  // Runs kubectl with the test kubeconfig and a private HOME; returns exit
  // code, fills |out|.
  int Kubectl(const std::string& args, std::string* out = nullptr);
  Json Os(const std::string& name);
  bool OsCondition(const std::string& name, const std::string& type);
  std::vector<Json> Events(const std::string& reason);
  std::string ApplySeed(const std::string& file);  // path of tests/kube/seed/<file>

  std::string cluster_dir_;
  std::unique_ptr<kube::CurlKubeApi> api_;
  std::vector<pid_t> operators_;
};

}  // namespace kubeos::kubetest
