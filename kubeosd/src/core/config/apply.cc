// SPDX-License-Identifier: MulanPSL-2.0
#include "core/config/apply.h"

#include <algorithm>
#include <array>
#include <optional>

#include "base/log.h"
#include "core/config/grub_editor.h"
#include "core/config/limits_editor.h"
#include "core/config/lines.h"
#include "core/config/sysctl_editor.h"
#include "core/config/toml_editor.h"
#include "core/config/yaml_editor.h"

namespace kubeos::core::config {
namespace {

constexpr std::string_view kRedacted = "<redacted>";

struct PendingFile {
  std::string path;
  std::optional<FileContent> original;  // nullopt: the file does not exist yet
  std::string text;
};

struct PendingSysctl {
  std::string path;
  std::string old_value;  // as read, newline included
  std::string new_value;
};

std::string DefaultPath(Model model, const ApplyContext& ctx) {
  switch (model) {
    case Model::kSysctlPersist:
      return ctx.sysctl_conf;
    case Model::kGrubCurrent:
    case Model::kGrubNext:
      return ctx.grub_cfg;
    case Model::kKubelet:
      return ctx.kubelet_config;
    case Model::kContainerd:
      return ctx.containerd_config;
    case Model::kPamLimits:
      return ctx.limits_conf;
    case Model::kSysctl:
      break;
  }
  return {};
}

Result<Edit> EditFile(const ModelConfig& mc, const ApplyContext& ctx, std::string_view text) {
  switch (mc.model) {
    case Model::kSysctlPersist:
      return EditSysctlConf(text, mc.contents);
    case Model::kGrubCurrent:
      return EditGrubCmdline(text, SlotName(ctx.booted), mc.contents);
    case Model::kGrubNext:
      return EditGrubCmdline(text, SlotName(OtherSlot(ctx.booted)), mc.contents);
    case Model::kKubelet:
      return EditKubeletYaml(text, mc.contents);
    case Model::kContainerd:
      return EditContainerdToml(text, mc.contents);
    case Model::kPamLimits:
      return EditLimitsConf(text, mc.contents);
    case Model::kSysctl:
      break;
  }
  return Fail(Errc::kFailed, "kernel.sysctl has no file");
}

std::optional<std::string_view> Action(Model model) {
  switch (model) {
    case Model::kSysctlPersist:
    case Model::kGrubCurrent:
    case Model::kGrubNext:
      return "reboot";
    case Model::kKubelet:
      return "restart kubelet";
    case Model::kContainerd:
      return "restart containerd";
    case Model::kSysctl:
    case Model::kPamLimits:
      break;
  }
  return std::nullopt;
}

bool Changed(const PendingFile& f) {
  return f.original ? f.original->data != f.text : !f.text.empty();
}

// Puts back what was already written; failures are logged and returned as text for the error.
std::string Restore(FileSystem& fs,
                    const std::vector<const PendingFile*>& files,
                    const std::vector<const PendingSysctl*>& sysctls) {
  std::string failures;
  auto note = [&](const std::string& path, const Error& e) {
    log::Err("config: restoring " + path + " failed: " + e.message);
    failures += "; restoring " + path + " failed: " + e.message;
  };
  // In reverse order of writing: the runtime values, then the files.
  for (auto s = sysctls.rbegin(); s != sysctls.rend(); ++s) {
    if (auto r = fs.WriteInPlace((*s)->path, (*s)->old_value); !r) note((*s)->path, r.error());
  }
  for (auto f = files.rbegin(); f != files.rend(); ++f) {
    Status r = (*f)->original ? fs.WriteAtomic((*f)->path, *(*f)->original) : fs.Remove((*f)->path);
    if (!r) note((*f)->path, r.error());
  }
  return failures;
}

// |error| after putting back what was written, with any failure to do so added.
std::unexpected<Error> Undo(FileSystem& fs,
                            const std::vector<const PendingFile*>& files,
                            const std::vector<const PendingSysctl*>& sysctls,
                            Error error) {
  error.message += Restore(fs, files, sysctls);
  return std::unexpected(std::move(error));
}

std::string Shown(const std::optional<std::string>& v, std::string_view absent) {
  return v ? *v : std::string(absent);
}

}  // namespace

bool LooksSecret(std::string_view key) {
  std::string lower;
  for (char c : key) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  constexpr std::array<std::string_view, 8> kWords = {"password",   "passwd",  "token",  "secret",
                                                      "credential", "private", "apikey", "api_key"};
  for (std::string_view w : kWords) {
    if (lower.find(w) != std::string::npos) return true;
  }
  // key material: tls_key, clientKey, key_file, "key" itself — but not e.g. kernel.keys.maxkeys.
  std::string_view last = std::string_view(lower).substr(lower.find_last_of(".\"") + 1);
  return last.ends_with("key") || last.starts_with("key_") ||
         last.find("_key") != std::string::npos;
}

Result<ApplyOutcome> Apply(const ConfigRequest& request, const ApplyContext& ctx, FileSystem& fs) {
  std::vector<PendingFile> files;
  std::vector<PendingSysctl> sysctls;
  ApplyOutcome outcome;
  files.reserve(request.configs.size());

  // 1. Read and compute everything; nothing is written yet.
  for (size_t i = 0; i < request.configs.size(); ++i) {
    const ModelConfig& mc = request.configs[i];
    std::string model(ModelName(mc.model));
    std::string where = "configs[" + std::to_string(i) + "] (" + model + ")";
    if (mc.model == Model::kSysctl) {
      for (const Entry& e : mc.contents) {
        if (e.operation == Operation::kDelete) {
          // A runtime value can only be set, not removed; the seed's example sends such deletes,
          // and upstream skips them with a warning too.
          log::Warning("config kernel.sysctl: cannot delete runtime value " + e.key + ", skipped",
                       {{"MODEL", model}, {"KEY", e.key}});
          continue;
        }
        std::string path = SysctlProcPath(ctx.proc_sys, e.key);
        auto content = fs.Read(path);
        if (!content) return Forward(std::move(content), where);
        if (!*content) return Fail(Errc::kConfigRejected, where + ": unknown sysctl " + e.key);
        std::string value = ScalarText(e.value);
        auto same =
            std::find_if(sysctls.begin(), sysctls.end(), [&](auto& s) { return s.path == path; });
        std::string current = same != sysctls.end() ? same->new_value : (*content)->data;
        if (SysctlValueEquals(current, value)) continue;
        if (same != sysctls.end())
          same->new_value = value + "\n";
        else
          sysctls.push_back({path, (*content)->data, value + "\n"});
        outcome.changes.push_back({model, e.key, std::string(Trim(current)), value});
      }
      continue;
    }
    std::string path = mc.config_path.empty() ? DefaultPath(mc.model, ctx) : mc.config_path;
    auto it = std::find_if(files.begin(), files.end(), [&](auto& f) { return f.path == path; });
    if (it == files.end()) {
      auto content = fs.Read(path);
      if (!content) return Forward(std::move(content), where);
      files.push_back({path, *content, *content ? (*content)->data : std::string()});
      it = files.end() - 1;
    }
    auto edit = EditFile(mc, ctx, it->text);
    if (!edit) return Forward(std::move(edit), where + " " + path);
    it->text = std::move(edit->text);
    for (Change& c : edit->changes) {
      c.model = model;
      outcome.changes.push_back(std::move(c));
    }
  }

  // 2. Replace the files, then the runtime values; undo on the first failure.
  std::vector<const PendingFile*> written_files;
  std::vector<const PendingSysctl*> written_sysctls;
  for (const PendingFile& f : files) {
    if (!Changed(f)) continue;
    FileContent content = f.original.value_or(FileContent{});
    content.data = f.text;
    if (auto r = fs.WriteAtomic(f.path, content); !r) {
      return Undo(fs, written_files, written_sysctls, std::move(r).error().Wrap("write " + f.path));
    }
    written_files.push_back(&f);
  }
  for (const PendingSysctl& s : sysctls) {
    if (auto r = fs.WriteInPlace(s.path, s.new_value); !r) {
      return Undo(fs, written_files, written_sysctls, std::move(r).error().Wrap("write " + s.path));
    }
    written_sysctls.push_back(&s);
  }

  // 3. Report.
  for (Change& c : outcome.changes) {
    if (LooksSecret(c.key)) {
      if (c.old_value) c.old_value = std::string(kRedacted);
      if (c.new_value) c.new_value = std::string(kRedacted);
    }
    log::Log(LOG_NOTICE,
             "config " + c.model + " " + c.key + ": " + Shown(c.old_value, "(absent)") + " -> " +
                 Shown(c.new_value, "(deleted)"),
             {{"MODEL", c.model},
              {"KEY", c.key},
              {"OLD", Shown(c.old_value, "")},
              {"NEW", Shown(c.new_value, "")}},
             log::kMsgConfigChanged);
  }
  for (const ModelConfig& mc : request.configs) {
    auto action = Action(mc.model);
    bool changed = std::any_of(outcome.changes.begin(), outcome.changes.end(),
                               [&](const Change& c) { return c.model == ModelName(mc.model); });
    if (action && changed &&
        std::find(outcome.actions.begin(), outcome.actions.end(), *action) ==
            outcome.actions.end()) {
      outcome.actions.emplace_back(*action);
    }
  }
  return outcome;
}

}  // namespace kubeos::core::config
