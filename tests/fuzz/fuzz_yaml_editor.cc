// SPDX-License-Identifier: MulanPSL-2.0
// Fuzzes the kubelet YAML editor (kubernetes.kubelet).
#include "core/config/yaml_editor.h"
#include "fuzz_editor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kubeos::core::config;
  return fuzz::FuzzEditor(
      data, size, "kubernetes.kubelet",
      R"([{"key":"evictionHard.\"memory.available\"","value":"200Mi"},{"key":"maxPods","value":200},{"key":"clusterDNS","value":["10.0.0.1"]},{"key":"readOnlyPort","operation":"delete"}])",
      EditKubeletYaml);
}
