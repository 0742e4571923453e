// SPDX-License-Identifier: MulanPSL-2.0
// Fuzzes the limits.conf editor (pam.limits).
#include "core/config/limits_editor.h"
#include "fuzz_editor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kubeos::core::config;
  return fuzz::FuzzEditor(
      data, size, "pam.limits",
      R"([{"key":"*","value":"hard.nofile.65535"},{"key":"@g","value":"soft.nproc.10","operation":"delete"}])",
      EditLimitsConf);
}
