// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/upgrade_job.h"

#include <syslog.h>

#include <charconv>
#include <utility>

#include "base/log.h"
#include "core/os_release.h"
#include "core/upgrade/container_ref.h"
#include "core/upgrade/content.h"
#include "core/upgrade/image_stream.h"
#include "core/upgrade/trial.h"
#include "core/upgrade/url_policy.h"

namespace kubeos::core::upgrade {
namespace {

std::string Octal(mode_t mode) {
  char buf[16] = {'0'};
  const auto r = std::to_chars(buf + 1, buf + sizeof buf, static_cast<unsigned>(mode & 07777), 8);
  return std::string(buf, r.ptr);
}

std::string SlotText(Slot s) { return std::string(SlotName(s)); }

Status RefuseConfigsWithoutEngine(const UpgradeDeps& deps,
                                  const std::string& pre_config,
                                  const std::string& post_config) {
  if ((pre_config.empty() && post_config.empty()) || deps.apply_config) return {};
  return Fail(Errc::kNotSupported,
              "pre-config and post-config are not supported yet (no config engine in this build)");
}

// The certificate files must exist; the key must be private to its owner (seed: keep key
// permissions minimal), since anyone who can read it can impersonate the node.
Status CheckCertFiles(FileSystem& fs, const FetchSpec& spec) {
  const std::pair<const std::string*, std::string_view> files[] = {
      {&spec.ca_file, "ca-cert"},
      {&spec.client_cert_file, "client-cert"},
      {&spec.client_key_file, "client-key"},
  };
  for (const auto& [path, option] : files) {
    if (path->empty()) continue;
    auto content = fs.Read(*path);
    if (!content) return Forward(std::move(content), std::string(option) + " " + *path);
    if (!*content) {
      return Fail(Errc::kInvalidArgs, std::string(option) + " " + *path + " does not exist");
    }
    if (path == &spec.client_key_file && !KeyModeIsPrivate((*content)->mode)) {
      return Fail(Errc::kInvalidArgs,
                  "client-key " + *path + " is accessible by group or others (mode " +
                      Octal((*content)->mode) + "); it must be 0600 or stricter");
    }
  }
  return {};
}

// The standby slot, after making sure by name and by device number that it is not the booted one.
Result<SlotDevice> StandbySlot(const UpgradeDeps& deps, Slot& booted) {
  KUBEOS_ASSIGN_OR_RETURN(const DiskLayout layout, deps.ports.blocks.Discover());
  booted = layout.booted;
  const SlotDevice& target = layout.Get(OtherSlot(layout.booted));
  const SlotDevice& running = layout.Get(layout.booted);
  if (target.device.empty()) {
    return Fail(Errc::kNoStandbySlot, "slot " + SlotText(target.slot) + " has no partition");
  }
  if (target.slot == layout.booted || target.device == running.device) {
    return Fail(Errc::kFailed, "refusing to write the booted slot " + SlotText(layout.booted));
  }
  KUBEOS_ASSIGN_OR_RETURN(const bool same,
                          deps.installer.SameDevice(target.device, running.device));
  if (same) {
    return Fail(Errc::kFailed, "refusing to write " + target.device +
                                   ": it is the same device as the booted slot " + running.device);
  }
  return target;
}

// A trial armed earlier but never rebooted into points at the slot about to be overwritten.
Status DropUnbootedTrial(const UpgradeDeps& deps, JobContext& ctx) {
  if (!ctx.State().pending) return {};
  if (auto s = deps.ports.boot.DisarmTrialBoot(); !s) {
    return Forward(std::move(s), "disarm the earlier trial boot");
  }
  return ctx.UpdateState([](NodeState& st) { st.pending.reset(); });
}

Status SetHealth(JobContext& ctx, Slot slot, SlotHealth health, const std::string* version) {
  return ctx.UpdateState([&](NodeState& st) {
    st.Record(slot).health = health;
    if (version != nullptr) st.Record(slot).version = *version;
  });
}

Status ApplyConfig(const UpgradeDeps& deps,
                   JobContext& ctx,
                   const std::string& json,
                   ConfigKind kind) {
  if (json.empty()) return {};
  auto applied = deps.apply_config(ConfigRequest{json, kind}, ctx);
  if (!applied) return Forward(std::move(applied), "apply " + std::string(ConfigKindName(kind)));
  return {};
}

Status CompareChecksum(std::string_view expected, std::string_view actual) {
  if (SameDigest(expected, actual)) return {};
  return Fail(Errc::kChecksumMismatch, "checksum mismatch: expected " + std::string(expected) +
                                           ", actual " + std::string(actual));
}

// A raw image of known size that cannot fit is refused before the slot is touched.
Status CheckFits(const UpgradeDeps& deps,
                 const ImageStream& stream,
                 ImageFormat format,
                 const SlotDevice& target) {
  const auto total = stream.TotalSize();
  if (format != ImageFormat::kRawFilesystem || !total) return {};
  KUBEOS_ASSIGN_OR_RETURN(const uint64_t capacity, deps.installer.DeviceSize(target));
  if (*total <= capacity) return {};
  return Fail(Errc::kNoSpace, "image of " + std::to_string(*total) + " bytes does not fit slot " +
                                  SlotText(target.slot) + " (" + std::to_string(capacity) +
                                  " bytes)");
}

// Streams the image into |target| and verifies it; returns the SHA-256 of the download.
Status WriteAndVerify(const UpgradeDeps& deps,
                      const UpgradeRequest& request,
                      JobContext& ctx,
                      ImageStream& stream,
                      ImageFormat format,
                      const SlotDevice& target) {
  if (format == ImageFormat::kRawFilesystem) {
    ctx.SetStage("writing");
    KUBEOS_ASSIGN_OR_RETURN(const uint64_t written, deps.installer.WriteRaw(target, stream));
    KUBEOS_TRY(stream.Drain());
    const std::string actual = stream.FinalHex();
    KUBEOS_TRY(CompareChecksum(request.checksum, actual));
    // The download hash proves what was sent; reading the device back proves what the disk holds.
    ctx.SetStage("verifying");
    auto readback = deps.hashers.NewSha256();
    KUBEOS_TRY(deps.installer.ReadBack(target, written, *readback));
    if (const std::string on_disk = readback->FinalHex(); on_disk != actual) {
      return Fail(Errc::kIo, "read-back of slot " + SlotText(target.slot) + " differs: wrote " +
                                 actual + ", read " + on_disk);
    }
    return {};
  }
  ctx.SetStage("extracting");
  KUBEOS_TRY(deps.installer.ExtractTar(target, SlotLabel(target.slot), stream));
  KUBEOS_TRY(stream.Drain());
  return CompareChecksum(request.checksum, stream.FinalHex());
}

// The runtime and the checked reference of a docker/containerd request; refused before
// any command runs.
struct ContainerPlan {
  ContainerRuntime* runtime = nullptr;
  ContainerRef ref;
};

Result<ContainerPlan> PlanContainer(const UpgradeDeps& deps, const UpgradeRequest& request) {
  ContainerPlan plan;
  KUBEOS_ASSIGN_OR_RETURN(plan.ref, ParseContainerRef(request.container_image));
  if (!plan.ref.digest.empty() && !SameDigest(plan.ref.digest, request.checksum)) {
    return Fail(Errc::kChecksumMismatch, "checksum mismatch: container-image names digest " +
                                             plan.ref.digest + ", checksum is " + request.checksum);
  }
  plan.runtime = request.image_type == ImageType::kDocker ? deps.docker : deps.containerd;
  if (plan.runtime == nullptr) {
    return Fail(Errc::kNotSupported,
                std::string(request.image_type == ImageType::kDocker ? "docker" : "containerd") +
                    " images are not supported by this build");
  }
  return plan;
}

// Pulls the image, checks its digest against the checksum, then extracts its /os.tar
// through the same streaming path as a tar download.
Status InstallFromContainer(const UpgradeDeps& deps,
                            const UpgradeRequest& request,
                            JobContext& ctx,
                            const ContainerPlan& plan,
                            const SlotDevice& target) {
  const std::string reference = plan.ref.FullyQualified();
  ctx.SetStage("pulling");
  auto digest = plan.runtime->Pull(reference);
  if (!digest) return Forward(std::move(digest), std::string(plan.runtime->Name()) + " pull");
  KUBEOS_TRY(CompareChecksum(request.checksum, *digest));
  KUBEOS_TRY(ctx.CheckCancelled());
  ctx.SetStage("extracting");
  KUBEOS_ASSIGN_OR_RETURN(const auto source, plan.runtime->OpenRootfsTar(reference));
  ImageStream stream(*source, nullptr, ctx);  // verified by the pulled digest
  KUBEOS_ASSIGN_OR_RETURN(const auto head, stream.Peek(kDetectBytes));
  const ImageFormat format = DetectImageFormat(head);
  if (format != ImageFormat::kTar && format != ImageFormat::kCompressedTar) {
    return Fail(Errc::kInvalidImage, "/os.tar in " + reference + " is not a tar archive");
  }
  log::Info("installing /os.tar of " + reference + " into slot " + SlotText(target.slot),
            {{"SLOT", SlotText(target.slot)}, {"VERSION", request.version}, {"IMAGE", reference}});
  KUBEOS_TRY(deps.installer.ExtractTar(target, SlotLabel(target.slot), stream));
  return stream.Drain();
}

Result<JobOutcome> ArmTrial(const UpgradeDeps& deps,
                            JobContext& ctx,
                            PendingBoot pending,
                            bool reboot) {
  ctx.SetStage("switching-boot");
  KUBEOS_TRY(ctx.EnterPointOfNoReturn());
  // Recorded before arming: a crash in between leaves a record the engine can clean up, never an
  // armed trial nobody knows about.
  KUBEOS_TRY(ctx.UpdateState([&](NodeState& st) { st.pending = pending; }));
  if (auto armed = deps.ports.boot.ArmTrialBoot(pending.target); !armed) {
    (void)ctx.UpdateState([](NodeState& st) { st.pending.reset(); });
    Error e = std::move(armed).error().Wrap("arm trial boot of slot " + SlotText(pending.target));
    e.code = Errc::kBootloader;
    return std::unexpected(std::move(e));
  }
  log::Notice("trial boot armed",
              {{"SLOT", SlotText(pending.target)}, {"VERSION", pending.version}});
  JobOutcome outcome;
  outcome.message = "slot " + SlotText(pending.target) + " (" + pending.version +
                    ") armed for a trial boot; " + (reboot ? "rebooting" : "pending reboot");
  if (!reboot) outcome.needs.push_back("reboot");
  outcome.reboot_requested = reboot;
  return outcome;
}

// Runs |install| on the standby slot, keeping it marked invalid until it succeeded, then arms the
// trial boot of it.
Result<JobOutcome> InstallAndArm(const UpgradeDeps& deps,
                                 const UpgradeRequest& request,
                                 JobContext& ctx,
                                 const SlotDevice& target,
                                 Slot booted,
                                 const std::function<Status()>& install) {
  // From here the slot is invalid until verified: state first (what kubeosd trusts), then the
  // superblock (what GRUB and the kernel would see).
  const std::string no_version;
  KUBEOS_TRY(SetHealth(ctx, target.slot, SlotHealth::kInstalling, &no_version));
  Status written = deps.installer.Invalidate(target);
  if (written) written = install();
  if (!written) {
    const Errc code = written.error().code;
    const bool verified_wrong = code == Errc::kChecksumMismatch || code == Errc::kIo;
    // Best effort: the health record already keeps the slot from being booted or rolled back to.
    (void)deps.installer.Invalidate(target);
    (void)SetHealth(ctx, target.slot, verified_wrong ? SlotHealth::kBad : SlotHealth::kInstalling,
                    nullptr);
    log::Err("install into slot " + SlotText(target.slot) + " failed: " + written.error().message,
             {{"SLOT", SlotText(target.slot)}, {"VERSION", request.version}});
    return std::unexpected(
        std::move(written).error().Wrap("install slot " + SlotText(target.slot)));
  }
  KUBEOS_TRY(SetHealth(ctx, target.slot, SlotHealth::kInstalled, &request.version));

  PendingBoot pending;
  pending.type = JobType::kUpgrade;
  pending.target = target.slot;
  pending.previous = booted;
  pending.version = request.version;
  pending.post_config = request.post_config;
  return ArmTrial(deps, ctx, std::move(pending), request.reboot);
}

// What every upgrade does once the request is accepted and before its image is fetched: find
// the standby slot (|booted| is set), drop a trial boot not yet taken, apply the pre-config.
Result<SlotDevice> PrepareStandby(const UpgradeDeps& deps,
                                  const UpgradeRequest& request,
                                  JobContext& ctx,
                                  Slot& booted) {
  KUBEOS_ASSIGN_OR_RETURN(const SlotDevice target, StandbySlot(deps, booted));
  KUBEOS_TRY(ctx.CheckCancelled());
  KUBEOS_TRY(DropUnbootedTrial(deps, ctx));
  if (!request.pre_config.empty()) {
    ctx.SetStage("pre-config");
    KUBEOS_TRY(ApplyConfig(deps, ctx, request.pre_config, ConfigKind::kUpgradeconfigs));
  }
  return target;
}

// The steps of RunUpgrade for image-type docker and containerd: no download of its own, the
// runtime pulls, and /os.tar takes the tar path into the standby slot.
Result<JobOutcome> RunContainerUpgrade(const UpgradeDeps& deps,
                                       const UpgradeRequest& request,
                                       JobContext& ctx,
                                       const ContainerPlan& plan) {
  Slot booted = Slot::kA;
  KUBEOS_ASSIGN_OR_RETURN(const SlotDevice target, PrepareStandby(deps, request, ctx, booted));
  return InstallAndArm(deps, request, ctx, target, booted,
                       [&] { return InstallFromContainer(deps, request, ctx, plan, target); });
}

}  // namespace

Result<JobOutcome> RunUpgrade(const UpgradeDeps& deps,
                              const UpgradeRequest& request,
                              JobContext& ctx) {
  // Everything that can be refused is refused before the standby slot is touched.
  ctx.SetStage("checking");
  if (!IsSha256Hex(request.checksum)) {
    return Fail(Errc::kInvalidArgs, "checksum must be a SHA-256 in hex (64 digits)");
  }
  KUBEOS_TRY(RefuseConfigsWithoutEngine(deps, request.pre_config, request.post_config));
  if (request.image_type != ImageType::kDisk) {
    KUBEOS_ASSIGN_OR_RETURN(const ContainerPlan plan, PlanContainer(deps, request));
    return RunContainerUpgrade(deps, request, ctx, plan);
  }
  auto spec = PlanFetch(request, deps.settings.certs_dir);
  if (!spec) {
    if (spec.error().code == Errc::kUnsafeUrl) {
      log::Log(LOG_WARNING, "refusing unsafe image url: " + spec.error().message,
               {{"URL", request.image_url}}, log::kMsgUnsafeUrl);
    }
    return std::unexpected(std::move(spec).error());
  }
  if (spec->url.starts_with("http:") || spec->url.starts_with("HTTP:")) {
    log::Log(LOG_WARNING, "downloading over unsafe plain http (flag-safe set)",
             {{"URL", request.image_url}}, log::kMsgUnsafeUrl);
  }
  KUBEOS_TRY(CheckCertFiles(deps.ports.fs, *spec));
  Slot booted = Slot::kA;
  KUBEOS_ASSIGN_OR_RETURN(const SlotDevice target, PrepareStandby(deps, request, ctx, booted));

  ctx.SetStage("downloading");
  spec->cancelled = [&ctx] { return ctx.IsCancelled(); };
  KUBEOS_ASSIGN_OR_RETURN(const auto source, deps.fetcher.Open(*spec));
  ImageStream stream(*source, deps.hashers.NewSha256(), ctx);
  KUBEOS_ASSIGN_OR_RETURN(const auto head, stream.Peek(kDetectBytes));
  const ImageFormat format = DetectImageFormat(head);
  if (format == ImageFormat::kUnknown) {
    return Fail(Errc::kInvalidImage, "image at " + request.image_url +
                                         " is neither a filesystem image nor a tar archive");
  }
  KUBEOS_TRY(CheckFits(deps, stream, format, target));
  log::Info(
      "installing " + std::string(ImageFormatName(format)) + " into slot " + SlotText(target.slot),
      {{"SLOT", SlotText(target.slot)}, {"VERSION", request.version}, {"DEVICE", target.device}});

  return InstallAndArm(deps, request, ctx, target, booted,
                       [&] { return WriteAndVerify(deps, request, ctx, stream, format, target); });
}

Result<JobOutcome> RunRollback(const UpgradeDeps& deps,
                               const RollbackRequest& request,
                               JobContext& ctx) {
  ctx.SetStage("checking");
  KUBEOS_TRY(RefuseConfigsWithoutEngine(deps, request.pre_config, request.post_config));
  KUBEOS_ASSIGN_OR_RETURN(const DiskLayout layout, deps.ports.blocks.Discover());
  const Slot target = OtherSlot(layout.booted);
  const NodeState state = ctx.State();
  KUBEOS_TRY(CheckRollbackSource(layout.Get(target), state.Record(target)));
  std::string version = state.Record(target).version;
  if (version.empty()) {
    KUBEOS_ASSIGN_OR_RETURN(const auto os_release,
                            deps.ports.blocks.ReadOsRelease(layout.Get(target)));
    if (os_release) version = PrettyNameFromOsRelease(*os_release);
  }
  if (!request.version.empty() && request.version != version) {
    return Fail(Errc::kNoStandbySlot, "slot " + SlotText(target) + " holds '" + version +
                                          "', not the requested '" + request.version + "'");
  }
  KUBEOS_TRY(ctx.CheckCancelled());
  if (!request.pre_config.empty()) {
    ctx.SetStage("pre-config");
    KUBEOS_TRY(ApplyConfig(deps, ctx, request.pre_config, ConfigKind::kUpgradeconfigs));
  }
  PendingBoot pending;
  pending.type = JobType::kRollback;
  pending.target = target;
  pending.previous = layout.booted;
  pending.version = version;
  pending.post_config = request.post_config;
  return ArmTrial(deps, ctx, std::move(pending), request.reboot);
}

Result<JobOutcome> ConfirmBoot(const UpgradeDeps& deps, JobContext& ctx) {
  const NodeState state = ctx.State();
  if (!state.pending) return JobOutcome{.message = "no trial boot pending"};
  const PendingBoot pending = *state.pending;
  const std::string target = SlotText(pending.target);
  const std::string previous = SlotText(pending.previous);
  KUBEOS_ASSIGN_OR_RETURN(const DiskLayout layout, deps.ports.blocks.Discover());

  // Shared by both failure paths: the target is never booted again unless installed anew.
  const auto give_up = [&](Errc code, const std::string& reason) -> Status {
    const std::string text = std::string(ErrorName(code)) + ": " + reason;
    KUBEOS_TRY(ctx.UpdateState([&](NodeState& st) {
      st.Record(pending.target).health = SlotHealth::kBad;
      st.last_error = text;
    }));
    KUBEOS_ASSIGN_OR_RETURN(const BootState boot, deps.ports.boot.Read());
    if (boot.default_slot != pending.previous) {
      if (auto s = deps.ports.boot.Commit(pending.previous); !s) {
        return Forward(std::move(s), "make slot " + previous + " the default again");
      }
    } else if (boot.next_slot) {
      if (auto s = deps.ports.boot.DisarmTrialBoot(); !s) {
        return Forward(std::move(s), "disarm the trial boot");
      }
    }
    // Cleared last: a crash before this point repeats the confirmation, which is idempotent.
    KUBEOS_TRY(ctx.UpdateState([](NodeState& st) { st.pending.reset(); }));
    log::Log(LOG_ERR, "trial boot of slot " + target + " failed: " + reason,
             {{"SLOT", target}, {"VERSION", pending.version}}, log::kMsgTrialFailed);
    return {};
  };

  if (JudgeReboot(pending, layout.booted) == TrialVerdict::kFellBack) {
    const std::string reason = "slot " + target + " (" + pending.version +
                               ") did not boot; the node came back on slot " +
                               SlotText(layout.booted);
    KUBEOS_TRY(give_up(Errc::kBootloader, reason));
    return Fail(Errc::kBootloader, reason);
  }

  ctx.SetStage("health-check");
  const Status health =
      deps.health.WaitHealthy(deps.settings.health_units, deps.settings.health_timeout,
                              [&ctx] { return ctx.IsCancelled(); });
  // Interrupted (shutdown, cancel) is no verdict: the pending record stays and the check reruns
  // at the next start.
  if (!health && health.error().code == Errc::kCancelled) return std::unexpected(health.error());
  if (JudgeHealth(health.has_value()) == HealthVerdict::kRevert) {
    const std::string reason = "slot " + target + " (" + pending.version +
                               ") failed its health check: " + health.error().message;
    KUBEOS_TRY(give_up(Errc::kHealthCheck, reason));
    // Running on the bad slot: reboot into the previous one, which is the default again. The
    // job is reported as failed, and the engine still performs the reboot.
    JobOutcome outcome;
    outcome.message = reason + "; rebooting into slot " + previous;
    outcome.reboot_requested = true;
    outcome.failure = Error{Errc::kHealthCheck, outcome.message};
    return outcome;
  }

  ctx.SetStage("committing");
  if (auto s = deps.ports.boot.Commit(pending.target); !s) {
    Error e = std::move(s).error().Wrap("make slot " + target + " the default");
    e.code = Errc::kBootloader;
    return std::unexpected(std::move(e));
  }
  KUBEOS_TRY(ctx.UpdateState([&](NodeState& st) {
    st.Record(pending.target).health = SlotHealth::kGood;
    st.Record(pending.target).version = pending.version;
  }));
  log::Log(LOG_NOTICE, "slot " + target + " committed as the default",
           {{"SLOT", target}, {"VERSION", pending.version}}, log::kMsgBootCommitted);
  if (!pending.post_config.empty()) {
    ctx.SetStage("post-config");
    KUBEOS_TRY(ApplyConfig(deps, ctx, pending.post_config, ConfigKind::kSysconfigs));
  }
  KUBEOS_TRY(ctx.UpdateState([](NodeState& st) { st.pending.reset(); }));
  return JobOutcome{.message =
                        "slot " + target + " (" + pending.version + ") booted and committed"};
}

void InstallUpgradeJobs(JobHandlers& handlers, std::shared_ptr<const UpgradeDeps> deps) {
  handlers.upgrade = [deps](const UpgradeRequest& r, JobContext& ctx) {
    return RunUpgrade(*deps, r, ctx);
  };
  handlers.rollback = [deps](const RollbackRequest& r, JobContext& ctx) {
    return RunRollback(*deps, r, ctx);
  };
  handlers.confirm_boot = [deps](JobContext& ctx) { return ConfirmBoot(*deps, ctx); };
}

}  // namespace kubeos::core::upgrade
