// SPDX-License-Identifier: MulanPSL-2.0
// Fuzzes the sysctl.conf editor (kernel.sysctl.persist).
#include "core/config/sysctl_editor.h"
#include "fuzz_editor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kubeos::core::config;
  return fuzz::FuzzEditor(
      data, size, "kernel.sysctl.persist",
      R"([{"key":"net.ipv4.ip_forward","value":"1"},{"key":"kernel.sysrq","value":"1","operation":"delete"}])",
      EditSysctlConf);
}
