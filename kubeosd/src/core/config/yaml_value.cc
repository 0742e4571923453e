// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/yaml_value.h"

#include <regex>

namespace kubeos::core::config {
namespace {

using nlohmann::json;

// Strings that read back as themselves in YAML 1.1 and 1.2 without quotes.
bool SafePlain(const std::string& s) {
  static const std::regex kQuantity("[0-9]+(\\.[0-9]+)?([A-Za-z]+|%)");
  static const std::regex kWord("[A-Za-z/_][A-Za-z0-9_./-]*");
  static const std::regex kYaml11Word("y|n|yes|no|on|off|true|false|null", std::regex::icase);
  // "100Mi", "10%", "5s": no YAML schema reads digits followed by letters as anything but text.
  if (std::regex_match(s, kQuantity)) return true;
  return std::regex_match(s, kWord) && !std::regex_match(s, kYaml11Word);
}

}  // namespace

json YamlScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") return s;  // quoted or explicitly tagged: the text is a string
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat(
      "[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+");
  bool is_int = s.size() < 19 && std::regex_match(s, kInt);
  if (is_int || (s.size() < 64 && std::regex_match(s, kFloat))) {
    std::string digits = s.front() == '+' ? s.substr(1) : s;
    // JSON has no "1." or ".5": pad them so that the JSON parser reads the same number.
    if (digits.ends_with('.')) digits += '0';
    if (auto dot = digits.find('.');
        dot != std::string::npos &&
        (dot == 0 || !(digits[dot - 1] >= '0' && digits[dot - 1] <= '9'))) {
      digits.insert(dot, "0");
    }
    json parsed = json::parse(digits, nullptr, false);
    if (!parsed.is_discarded()) return parsed;
  }
  return s;
}

Result<json> YamlToJson(const YAML::Node& node, int depth) {
  if (depth > 64) return Fail(Errc::kConfigRejected, "document nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      return YamlScalarToJson(node);
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) {
        KUBEOS_ASSIGN_OR_RETURN(json v, YamlToJson(item, depth + 1));
        out.push_back(std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          return Fail(Errc::kConfigRejected, "mapping keys must be scalars");
        if (kv.first.Scalar() == "version" && kv.second.IsScalar()) {
          out["version"] = kv.second.Scalar();
          continue;
        }
        KUBEOS_ASSIGN_OR_RETURN(json v, YamlToJson(kv.second, depth + 1));
        out[kv.first.Scalar()] = std::move(v);
      }
      return out;
    }
  }
  return json(nullptr);
}

bool YamlEquals(const YAML::Node& node, const json& value) {
  if (value.is_array()) {
    if (!node.IsSequence() || node.size() != value.size()) return false;
    for (size_t i = 0; i < value.size(); ++i) {
      if (!YamlEquals(node[i], value[i])) return false;
    }
    return true;
  }
  if (!node.IsScalar() && !node.IsNull()) return false;
  json have = node.IsNull() ? json(nullptr) : YamlScalarToJson(node);
  return have == value;
}

std::string YamlRender(const json& value) {
  if (value.is_array()) {
    std::string out = "[";
    for (const auto& item : value) out += (out.size() > 1 ? ", " : "") + YamlRender(item);
    return out + "]";
  }
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    return SafePlain(s) ? s : value.dump();
  }
  return value.dump();
}

}  // namespace kubeos::core::config
