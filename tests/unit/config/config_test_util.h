// SPDX-License-Identifier: MulanPSL-2.0
// Shorthands for the config tests: entries from JSON text, test data files.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/config/request.h"

namespace kubeos::core::config::testing {

// The validated entries of one model from the JSON list |contents|; a test failure if refused.
inline std::vector<Entry> Entries(std::string_view model, std::string_view contents) {
  std::string json = R"({"configs":[{"model":")" + std::string(model) + R"(","contents":)" +
                     std::string(contents) + "}]}";
  auto request = ParseRequest(json);
  if (!request) {
    ADD_FAILURE() << "refused: " << request.error().message;
    return {};
  }
  return request->configs.at(0).contents;
}

// The file |relative| under tests/testdata/config.
inline std::string TestData(const std::string& relative) {
  std::ifstream in(std::string(KUBEOS_CONFIG_TESTDATA) + "/" + relative, std::ios::binary);
  if (!in) ADD_FAILURE() << "missing test data " << relative;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace kubeos::core::config::testing
