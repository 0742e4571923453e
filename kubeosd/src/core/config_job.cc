// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config_job.h"

#include <algorithm>

#include "base/log.h"
#include "core/config/apply.h"
#include "core/config/request.h"

namespace kubeos::core {

Result<JobOutcome> RunConfig(const ConfigJobDeps& deps,
                             const ConfigRequest& request,
                             JobContext& ctx) {
  ctx.SetStage("validating");
  auto parsed = config::ParseRequest(request.config_json);
  if (!parsed) return std::unexpected(std::move(parsed).error());

  const NodeState state = ctx.State();
  const std::optional<std::string>& recorded = request.kind == ConfigKind::kSysconfigs
                                                   ? state.sysconfigs_version
                                                   : state.upgradeconfigs_version;
  const std::string kind(ConfigKindName(request.kind));
  if (recorded && *recorded == parsed->version) {
    log::Info(kind + " version '" + parsed->version + "' is already applied, nothing to do",
              {{"KIND", kind}, {"VERSION", parsed->version}});
    return JobOutcome{.message = kind + " version '" + parsed->version + "' is already applied"};
  }

  config::ApplyContext apply_ctx;
  apply_ctx.proc_sys = deps.settings.proc_sys;
  apply_ctx.grub_cfg = deps.settings.grub_cfg;
  const bool edits_grub =
      std::any_of(parsed->configs.begin(), parsed->configs.end(), [](const auto& c) {
        return c.model == config::Model::kGrubCurrent || c.model == config::Model::kGrubNext;
      });
  if (auto layout = deps.blocks.Discover()) {
    apply_ctx.booted = layout->booted;
  } else if (edits_grub) {
    return Forward(std::move(layout), "grub.cmdline needs to know the booted slot");
  }

  KUBEOS_TRY(ctx.CheckCancelled());
  KUBEOS_TRY(ctx.EnterPointOfNoReturn());  // Apply restores on failure; it cannot stop half way
  ctx.SetStage("applying");
  auto applied = config::Apply(*parsed, apply_ctx, deps.fs);
  if (!applied) return std::unexpected(std::move(applied).error());

  KUBEOS_TRY(ctx.UpdateState([&](NodeState& s) {
    (request.kind == ConfigKind::kSysconfigs ? s.sysconfigs_version : s.upgradeconfigs_version) =
        parsed->version;
  }));
  std::string message = "applied " + kind + " version '" + parsed->version +
                        "': " + std::to_string(applied->changes.size()) + " change(s)";
  if (!applied->actions.empty()) {
    message += "; takes effect after";
    for (size_t i = 0; i < applied->actions.size(); ++i) {
      message += (i == 0 ? " " : ", ") + applied->actions[i];
    }
  }
  return JobOutcome{.message = message, .needs = applied->actions};
}

}  // namespace kubeos::core
