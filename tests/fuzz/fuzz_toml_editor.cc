// SPDX-License-Identifier: MulanPSL-2.0
// Fuzzes the containerd TOML editor (container.containerd).
#include "core/config/toml_editor.h"
#include "fuzz_editor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kubeos::core::config;
  return fuzz::FuzzEditor(
      data, size, "container.containerd",
      R"([{"key":"plugins.\"io.containerd.grpc.v1.cri\".sandbox_image","value":"pause:3.9"},{"key":"version","value":2},{"key":"a.b.c","value":[1,2]},{"key":"root","operation":"delete"}])",
      EditContainerdToml);
}
