// SPDX-License-Identifier: MulanPSL-2.0
// Fuzzes request parsing and the CLI's document conversion: no crash, and what the conversion
// returns is JSON that ParseRequest reads without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kubeos::core::config;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ParseRequest(input);
  if (auto json = ConfigJsonFromDocument(input, "sysconfigs")) (void)ParseRequest(*json);
  return 0;
}
