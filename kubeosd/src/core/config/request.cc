// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/request.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <utility>

#include "core/config/key_path.h"
#include "core/config/limits_editor.h"
#include "core/config/yaml_value.h"

namespace kubeos::core::config {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, Model>, 7> kModels = {{
    {"kernel.sysctl", Model::kSysctl},
    {"kernel.sysctl.persist", Model::kSysctlPersist},
    {"grub.cmdline.current", Model::kGrubCurrent},
    {"grub.cmdline.next", Model::kGrubNext},
    {"kubernetes.kubelet", Model::kKubelet},
    {"container.containerd", Model::kContainerd},
    {"pam.limits", Model::kPamLimits},
}};

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// The first character of |s| outside the allowed set, described for a message.
std::optional<std::string> BadChar(std::string_view s, std::string_view extra) {
  for (char c : s) {
    if (IsAlnum(c) || extra.find(c) != std::string_view::npos) continue;
    if (c == ' ') return "a space";
    if (c >= 0x21 && c < 0x7f) return std::string("'") + c + "'";
    return "a control or non-ASCII character";
  }
  return std::nullopt;
}

// Collects problems of one request; each line names where it is.
class Problems {
 public:
  void Add(const std::string& where, const std::string& what) {
    lines_.push_back(where + ": " + what);
  }
  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }
  std::string Join() const {
    std::string out;
    for (const auto& l : lines_) out += (out.empty() ? "" : "\n") + l;
    return out;
  }

 private:
  std::vector<std::string> lines_;
};

std::string_view TypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  return "null";
}

bool IsScalar(const json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

// Normalised absolute path without '.', '..', '//' or a trailing slash.
std::optional<std::string> PathProblem(std::string_view path) {
  if (path.empty() || path[0] != '/') return "configpath must be an absolute path";
  if (HasControl(path)) return "configpath must not contain control characters";
  if (path.back() == '/') return "configpath must name a file";
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..")
      return "configpath must be normalised (no '.', '..' or '//')";
    start = end + 1;
  }
  if (auto bad = BadChar(path, "/._-+@")) return "configpath must not contain " + *bad;
  return std::nullopt;
}

bool InDir(std::string_view path, std::string_view dir, std::string_view suffix) {
  return path.starts_with(dir) && path.size() > dir.size() + suffix.size() &&
         path.substr(dir.size()).find('/') == std::string_view::npos && path.ends_with(suffix);
}

// The directories each model may write to (see request.h).
std::optional<std::string> ConfigPathProblem(Model model, std::string_view path) {
  if (auto p = PathProblem(path)) return p;
  switch (model) {
    case Model::kSysctl:
    case Model::kGrubCurrent:
    case Model::kGrubNext:
      return std::string(ModelName(model)) + " does not take a configpath";
    case Model::kSysctlPersist:
      if (path == "/etc/sysctl.conf" || InDir(path, "/etc/sysctl.d/", ".conf")) return std::nullopt;
      return "configpath of kernel.sysctl.persist must be /etc/sysctl.conf or /etc/sysctl.d/*.conf";
    case Model::kKubelet:
      for (std::string_view dir : {"/var/lib/kubelet/", "/etc/kubernetes/"}) {
        if (InDir(path, dir, ".yaml") || InDir(path, dir, ".yml")) return std::nullopt;
      }
      return "configpath of kubernetes.kubelet must be a .yaml file in /var/lib/kubelet or "
             "/etc/kubernetes";
    case Model::kContainerd:
      if (InDir(path, "/etc/containerd/", ".toml")) return std::nullopt;
      return "configpath of container.containerd must be a .toml file in /etc/containerd";
    case Model::kPamLimits:
      if (path == "/etc/security/limits.conf" || InDir(path, "/etc/security/limits.d/", ".conf")) {
        return std::nullopt;
      }
      return "configpath of pam.limits must be /etc/security/limits.conf or "
             "/etc/security/limits.d/*.conf";
  }
  return "unknown model";
}

// Sysctl names: dot-separated segments; '/' is the other separator sysctl(8) accepts, refused so
// that one spelling maps to one /proc/sys path and nothing can climb out of it.
std::optional<std::string> SysctlKeyProblem(std::string_view key) {
  if (key.find('/') != std::string_view::npos) return "sysctl key must use '.' separators, not '/'";
  if (key.front() == '.' || key.back() == '.' || key.find("..") != std::string_view::npos) {
    return "sysctl key has an empty segment";
  }
  // In sysctl.conf a leading '-' is not part of the name: it tells sysctl(8) to ignore errors.
  if (key.front() == '-') return "sysctl key must not start with '-'";
  if (auto bad = BadChar(key, "._-:@+")) return "sysctl key must not contain " + *bad;
  return std::nullopt;
}

std::optional<std::string> ScalarValueProblem(const json& value, bool required) {
  if (value.is_null()) return required ? std::optional<std::string>("needs a value") : std::nullopt;
  if (!IsScalar(value))
    return "value must be a string, number or boolean, not " + std::string(TypeName(value));
  std::string text = ScalarText(value);
  if (required && text.empty()) return "needs a value";
  return std::nullopt;
}

// Problems of one entry of |model|; appended to |problems| under |where|.
void CheckEntry(Model model, const Entry& e, const std::string& where, Problems& problems) {
  const std::string& key = e.key;
  bool del = e.operation == Operation::kDelete;
  auto add = [&](const std::string& what) { problems.Add(where, what); };
  if (e.value.is_string() && HasControl(e.value.get_ref<const std::string&>())) {
    add("value must not contain newlines or control characters");
    return;
  }
  switch (model) {
    case Model::kSysctl:
    case Model::kSysctlPersist: {
      if (auto p = SysctlKeyProblem(key)) add(*p);
      if (auto p = ScalarValueProblem(e.value, true)) {
        add(del ? "delete needs the configured value (key=value entries must match)" : *p);
      } else {
        std::string text = ScalarText(e.value);
        if (text.front() == ' ' || text.back() == ' ')
          add("value must not start or end with a space");
      }
      return;
    }
    case Model::kGrubCurrent:
    case Model::kGrubNext: {
      if (auto bad = BadChar(key, "._-")) add("kernel argument name must not contain " + *bad);
      if (key == "root") add("kernel argument root selects the slot and cannot be configured");
      if (auto p = ScalarValueProblem(e.value, false))
        add(*p);
      else if (!e.value.is_null()) {
        if (auto bad = BadChar(ScalarText(e.value), "._-,:/+@%=")) {
          add("kernel argument value must not contain " + *bad);
        }
      }
      return;
    }
    case Model::kKubelet:
    case Model::kContainerd: {
      if (auto path = SplitKeyPath(key); !path) add(path.error().message);
      if (e.value.is_null()) {
        if (!del) add("needs a value");
        return;
      }
      if (e.value.is_array()) {
        for (const auto& item : e.value) {
          if (!IsScalar(item)) {
            add("list items must be strings, numbers or booleans, not " +
                std::string(TypeName(item)));
            return;
          }
          if (item.is_string() && HasControl(item.get_ref<const std::string&>())) {
            add("value must not contain newlines or control characters");
            return;
          }
        }
        return;
      }
      if (!IsScalar(e.value)) add("value must be a string, number, boolean or list, not an object");
      return;
    }
    case Model::kPamLimits: {
      if (key.front() == '#') add("limits domain must not start with '#'");
      if (auto bad = BadChar(key, "_@%*:.-")) add("limits domain must not contain " + *bad);
      if (!e.value.is_string() || e.value.get_ref<const std::string&>().empty()) {
        add("value must be a string \"type.item.value\", e.g. \"hard.nofile.65535\"");
        return;
      }
      if (auto limit = ParseLimit(e.value.get_ref<const std::string&>()); !limit) {
        add(limit.error().message);
      }
      return;
    }
  }
}

// Where two entries of one model would touch the same thing, the result would depend on order.
std::string IdentityOf(Model model, const Entry& e) {
  if (model != Model::kPamLimits || !e.value.is_string()) return e.key;
  auto limit = ParseLimit(e.value.get_ref<const std::string&>());
  return limit ? e.key + " " + limit->type + " " + limit->item : e.key;
}

void ParseEntry(Model model,
                const json& j,
                const std::string& where,
                Problems& problems,
                std::vector<Entry>& out) {
  if (!j.is_object()) {
    problems.Add(where, "must be an object with key, value and operation");
    return;
  }
  size_t before = problems.size();
  Entry e;
  for (const auto& [name, v] : j.items()) {
    if (name == "key") {
      if (!v.is_string())
        problems.Add(where, "key must be a string, not " + std::string(TypeName(v)));
      else
        e.key = v.get<std::string>();
    } else if (name == "value") {
      e.value = v;
    } else if (name == "operation") {
      if (v.is_null() || v == "") continue;
      if (v == "delete")
        e.operation = Operation::kDelete;
      else if (v.is_string())
        problems.Add(
            where, "unknown operation \"" + v.get<std::string>() + "\" (only \"delete\" or none)");
      else
        problems.Add(where, "operation must be a string, not " + std::string(TypeName(v)));
    } else {
      problems.Add(where, "unknown field \"" + name + "\"");
    }
  }
  if (problems.size() != before) return;
  if (e.key.empty()) return problems.Add(where, "key must not be empty");
  if (e.key.find('=') != std::string::npos) return problems.Add(where, "key must not contain '='");
  if (HasControl(e.key))
    return problems.Add(where, "key must not contain newlines or control characters");
  CheckEntry(model, e, where, problems);
  if (problems.size() == before) out.push_back(std::move(e));
}

void ParseModelConfig(const json& j,
                      const std::string& where,
                      Problems& problems,
                      std::vector<ModelConfig>& out) {
  if (!j.is_object()) return problems.Add(where, "must be an object with model and contents");
  size_t before = problems.size();
  ModelConfig mc;
  std::optional<Model> model;
  const json* contents = nullptr;
  const json* path = nullptr;
  for (const auto& [name, v] : j.items()) {
    if (name == "model") {
      if (!v.is_string()) {
        problems.Add(where, "model must be a string, not " + std::string(TypeName(v)));
        continue;
      }
      auto it = std::find_if(kModels.begin(), kModels.end(), [&](const auto& m) {
        return m.first == v.get_ref<const std::string&>();
      });
      if (it == kModels.end())
        problems.Add(where, "unknown model \"" + v.get<std::string>() + "\"");
      else
        model = it->second;
    } else if (name == "configpath") {
      path = &v;
    } else if (name == "contents") {
      contents = &v;
    } else {
      problems.Add(where, "unknown field \"" + name + "\"");
    }
  }
  if (!model) {
    if (!j.contains("model")) problems.Add(where, "model is missing");
    return;
  }
  mc.model = *model;
  if (path != nullptr && !path->is_null() && *path != "") {
    if (!path->is_string())
      problems.Add(where, "configpath must be a string");
    else if (auto p = ConfigPathProblem(mc.model, path->get_ref<const std::string&>()))
      problems.Add(where, *p);
    else
      mc.config_path = path->get<std::string>();
  }
  if (contents == nullptr || !contents->is_array()) {
    return problems.Add(where, "contents must be a list");
  }
  for (size_t i = 0; i < contents->size(); ++i) {
    ParseEntry(mc.model, (*contents)[i], where + ".contents[" + std::to_string(i) + "]", problems,
               mc.contents);
  }
  std::set<std::string> seen;
  for (const auto& e : mc.contents) {
    if (!seen.insert(IdentityOf(mc.model, e)).second) {
      problems.Add(where, "key \"" + e.key + "\" appears twice; change it once per request");
    }
  }
  if (problems.size() == before) out.push_back(std::move(mc));
}

// ---- ConfigJsonFromDocument ---------------------------------------------------------------

}  // namespace

std::string_view ModelName(Model model) {
  for (const auto& [name, m] : kModels) {
    if (m == model) return name;
  }
  return "unknown";
}

std::string ScalarText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  // Only for display can a value hold invalid UTF-8 (read from a file); never throw for it.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<ConfigRequest> ParseRequest(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Fail(Errc::kConfigRejected, "config is not valid JSON");
  if (!j.is_object()) return Fail(Errc::kConfigRejected, "config must be a JSON object");
  Problems problems;
  ConfigRequest request;
  for (const auto& [name, v] : j.items()) {
    if (name == "version") {
      if (v.is_string())
        request.version = v.get<std::string>();
      else if (!v.is_null())
        problems.Add("version", "must be a string, not " + std::string(TypeName(v)));
      else
        continue;
      if (HasControl(request.version))
        problems.Add("version", "must not contain control characters");
    } else if (name != "configs") {
      problems.Add(name, "unknown field");
    }
  }
  if (j.contains("configs") && !j["configs"].is_null()) {
    const json& configs = j["configs"];
    if (!configs.is_array()) {
      problems.Add("configs", "must be a list");
    } else {
      for (size_t i = 0; i < configs.size(); ++i) {
        ParseModelConfig(configs[i], "configs[" + std::to_string(i) + "]", problems,
                         request.configs);
      }
    }
  }
  if (!problems.empty()) return Fail(Errc::kConfigRejected, problems.Join());
  return request;
}

Result<std::string> ConfigJsonFromDocument(std::string_view document, std::string_view kind) {
  if (kind != "sysconfigs" && kind != "upgradeconfigs") {
    return Fail(Errc::kInvalidArgs, "kind must be sysconfigs or upgradeconfigs");
  }
  Result<json> converted = Fail(Errc::kConfigRejected, "empty document");
  try {
    converted = YamlToJson(YAML::Load(std::string(document)));
  } catch (const std::exception& e) {
    return Fail(Errc::kConfigRejected, std::string("not valid YAML or JSON: ") + e.what());
  }
  if (!converted) return std::unexpected(converted.error());
  json doc = std::move(*converted);
  if (!doc.is_object()) return Fail(Errc::kConfigRejected, "the document must be a mapping");
  if (doc.contains("spec") && doc.value("kind", json()) == "OS") {
    const json& spec = doc["spec"];
    if (!spec.is_object() || !spec.contains(kind) || !spec[std::string(kind)].is_object()) {
      return Fail(Errc::kConfigRejected, "the OS resource has no spec." + std::string(kind));
    }
    doc = spec[std::string(kind)];
  }
  try {
    return doc.dump();
  } catch (const nlohmann::json::exception&) {
    return Fail(Errc::kConfigRejected, "the document is not valid UTF-8");
  }
}

}  // namespace kubeos::core::config
