// SPDX-License-Identifier: MulanPSL-2.0
#include "core/state.h"

#include <array>
#include <nlohmann/json.hpp>

namespace kubeos::core {
namespace {

using nlohmann::json;

constexpr std::array kHealthNames{"unknown", "installing", "installed", "good", "bad"};

SlotHealth HealthFromName(std::string_view name) {
  for (size_t i = 0; i < kHealthNames.size(); ++i) {
    if (name == kHealthNames[i]) return static_cast<SlotHealth>(i);
  }
  return SlotHealth::kUnknown;
}

json SlotToJson(const SlotRecord& r) {
  return json{{"health", SlotHealthName(r.health)}, {"version", r.version}};
}

SlotRecord SlotFromJson(const json& j) {
  SlotRecord r;
  if (!j.is_object()) return r;
  r.health = HealthFromName(j.value("health", ""));
  r.version = j.value("version", "");
  return r;
}

std::optional<JobType> JobTypeFromName(std::string_view name) {
  for (JobType t : {JobType::kUpgrade, JobType::kRollback, JobType::kConfig}) {
    if (JobTypeName(t) == name) return t;
  }
  return std::nullopt;
}

}  // namespace

std::string_view SlotHealthName(SlotHealth h) { return kHealthNames[static_cast<size_t>(h)]; }

std::string SerializeState(const NodeState& s) {
  json j;
  j["format"] = 1;
  if (s.sysconfigs_version) j["sysconfigs-version"] = *s.sysconfigs_version;
  if (s.upgradeconfigs_version) j["upgradeconfigs-version"] = *s.upgradeconfigs_version;
  if (s.pending) {
    const PendingBoot& p = *s.pending;
    j["pending"] = json{{"type", JobTypeName(p.type)},      {"target", SlotName(p.target)},
                        {"previous", SlotName(p.previous)}, {"version", p.version},
                        {"post-config", p.post_config},     {"boot-id", p.boot_id}};
  }
  j["slots"] = json{{"A", SlotToJson(s.slot_a)}, {"B", SlotToJson(s.slot_b)}};
  j["last-error"] = s.last_error;
  j["needs"] = s.needs;
  j["needs-boot-id"] = s.needs_boot_id;
  return j.dump(2) + "\n";
}

Result<NodeState> ParseState(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Fail(Errc::kIo, "state file is not a JSON object");
  NodeState s;
  try {
    if (j.contains("sysconfigs-version")) s.sysconfigs_version = j.at("sysconfigs-version");
    if (j.contains("upgradeconfigs-version")) {
      s.upgradeconfigs_version = j.at("upgradeconfigs-version");
    }
    if (j.contains("pending") && j.at("pending").is_object()) {
      const json& p = j.at("pending");
      auto type = JobTypeFromName(p.value("type", ""));
      auto target = ParseSlot(p.value("target", ""));
      auto previous = ParseSlot(p.value("previous", ""));
      if (!type || !target || !previous) return Fail(Errc::kIo, "state file: malformed 'pending'");
      s.pending = PendingBoot{*type,
                              *target,
                              *previous,
                              p.value("version", ""),
                              p.value("post-config", ""),
                              p.value("boot-id", "")};
    }
    if (j.contains("slots")) {
      s.slot_a = SlotFromJson(j.at("slots").value("A", json()));
      s.slot_b = SlotFromJson(j.at("slots").value("B", json()));
    }
    s.last_error = j.value("last-error", "");
    if (j.contains("needs")) s.needs = j.at("needs").get<std::vector<std::string>>();
    s.needs_boot_id = j.value("needs-boot-id", "");
  } catch (const json::exception& e) {
    return Fail(Errc::kIo, std::string("state file: ") + e.what());
  }
  return s;
}

Result<NodeState> StateStore::Load() {
  auto content = fs_.Read(path_);
  if (!content) return Forward(std::move(content), "read state " + path_);
  if (!content->has_value()) return NodeState{};
  auto state = ParseState((*content)->data);
  if (!state) return Forward(std::move(state), "parse state " + path_);
  return state;
}

Status StateStore::Save(const NodeState& state) {
  auto st = fs_.WriteAtomic(path_, FileContent{SerializeState(state), 0600, 0, 0});
  if (!st) return Forward(std::move(st), "save state " + path_);
  return {};
}

}  // namespace kubeos::core
