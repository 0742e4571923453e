// SPDX-License-Identifier: MulanPSL-2.0
// Fuzzes the grub.cfg kernel command line editor (grub.cmdline.current/next).
#include "core/config/grub_editor.h"
#include "fuzz_editor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kubeos::core::config;
  return fuzz::FuzzEditor(
      data, size, "grub.cmdline.current",
      R"([{"key":"quiet"},{"key":"audit","value":"1"},{"key":"rd.info","value":"0","operation":"delete"}])",
      [](std::string_view text, const auto& entries) {
        return EditGrubCmdline(text, "A", entries);
      });
}
