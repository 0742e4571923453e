// SPDX-License-Identifier: MulanPSL-2.0
// Shared body of the editor fuzz targets: input = "<contents JSON>\n<file text>". Entries that do
// not validate are replaced by a fixed set, so the file text is fuzzed either way. An edit must
// never crash, and applying its result again must change nothing (idempotence).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/config/edit.h"
#include "core/config/request.h"

namespace kubeos::core::config::fuzz {

template <typename EditFn>
int FuzzEditor(const uint8_t* data,
               size_t size,
               std::string_view model,
               std::string_view fallback_contents,
               EditFn edit) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view head = nl == std::string_view::npos ? std::string_view() : input.substr(0, nl);
  std::string_view text = nl == std::string_view::npos ? input : input.substr(nl + 1);
  auto request_for = [&](std::string_view contents) {
    return ParseRequest(R"({"configs":[{"model":")" + std::string(model) + R"(","contents":)" +
                        std::string(contents) + "}]}");
  };
  auto request = request_for(head);
  if (!request) request = request_for(fallback_contents);
  if (!request) std::abort();  // the fallback itself must validate
  const auto& entries = request->configs.at(0).contents;
  auto first = edit(text, entries);
  if (!first) return 0;
  auto second = edit(first->text, entries);
  if (!second || second->text != first->text || !second->changes.empty()) std::abort();
  return 0;
}

}  // namespace kubeos::core::config::fuzz
