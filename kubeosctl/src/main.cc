// SPDX-License-Identifier: MulanPSL-2.0
// kubeosctl: the command line of kubeosd. Every verb is one D-Bus call on org.openeuler.KubeOS1
// (busctl can do the same); job verbs wait for the job by default, showing its progress.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client.h"
#include "core/config/request.h"
#include "kubeos/dbus/names.h"
#include "os_resource.h"
#include "output.h"

namespace {

using namespace kubeos;
using namespace kubeos::ctl;

std::atomic<bool> g_interrupted{false};

extern "C" void OnSigint(int) { g_interrupted.store(true); }

// Exit codes: 0 success, 1 failure, 2 invalid arguments, 3 not authorized, 4 busy, 5 cancelled.
int ExitCode(Errc code) {
  switch (code) {
    case Errc::kInvalidArgs:
    case Errc::kConfigRejected:
      return 2;
    case Errc::kAccessDenied:
    case Errc::kInteractiveAuthRequired:
      return 3;
    case Errc::kBusy:
      return 4;
    case Errc::kCancelled:
      return 5;
    default:
      return 1;
  }
}

int Report(const Error& e) {
  std::cerr << "kubeosctl: " << ErrorName(e.code) << ": " << e.message << "\n";
  return ExitCode(e.code);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path == "-" ? "/dev/stdin" : path, std::ios::binary);
  if (!in) return Fail(Errc::kInvalidArgs, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Common {
  bool no_wait = false;
  bool json = false;
  bool interactive = isatty(STDIN_FILENO) == 1;
};

// Starts a job and, unless --no-wait, waits for it with progress; Ctrl-C cancels the job.
int RunJob(Client& client,
           const Common& common,
           const std::string& method,
           const std::optional<std::string>& config_json,
           const OptionMap& options) {
  auto job = client.StartJob(method, config_json, options, common.interactive);
  if (!job) return Report(job.error());
  if (common.no_wait) {
    std::cout << *job << "\n";
    return 0;
  }
  if (!common.json) std::cerr << "Started " << *job << " (Ctrl-C cancels it)\n";
  std::signal(SIGINT, OnSigint);
  ProgressPrinter printer(!common.json && isatty(STDERR_FILENO) == 1);
  auto end = client.Wait(
      *job,
      [&](const JobInfo& info) {
        if (!common.json) printer.Update(info);
      },
      [] { return g_interrupted.load(); }, common.interactive);
  printer.Finish();
  if (!end) return Report(end.error());
  if (common.json) {
    std::cout << nlohmann::json{{"job", *job},
                                {"result", end->result},
                                {"error-name", end->error_name},
                                {"message", end->message}}
                     .dump(2)
              << "\n";
  }
  if (end->result == "done") {
    if (!common.json) std::cout << (end->message.empty() ? "Done." : end->message) << "\n";
    return 0;
  }
  if (common.json) return ExitCode(ErrcFromName(end->error_name));
  return Report(Error{ErrcFromName(end->error_name), end->message});
}

void AddWaitFlags(CLI::App* cmd, Common& common) {
  cmd->add_flag("--no-wait", common.no_wait, "print the job path and return at once");
  cmd->add_flag("--json", common.json, "print the job's result as JSON");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "kubeosctl - control kubeosd, the KubeOS node daemon.\n\n"
      "Upgrades install a whole OS image into the standby slot of the A/B pair and\n"
      "trial-boot it; kubeosd commits the slot after a health check, otherwise the\n"
      "node falls back by itself. Mutating verbs are authorised by polkit."};
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 success, 1 failure, 2 invalid arguments or configuration, 3 not\n"
      "authorized, 4 another job is running, 5 cancelled.\n"
      "The same calls work with busctl, e.g.:\n"
      "  busctl call org.openeuler.KubeOS1 /org/openeuler/KubeOS1 org.openeuler.KubeOS1 Status");
  Common common;

  auto* status = app.add_subcommand("status", "show the A/B slots, versions, job and last error");
  status->add_flag("--json", common.json, "print the Status dictionary as JSON");

  struct {
    std::string version, image_url, container_image, checksum, image_type, ca_cert, client_cert,
        client_key;
    bool flag_safe = false, mtls = false, no_reboot = false;
  } up;
  auto* upgrade = app.add_subcommand(
      "upgrade", "install a new OS image into the standby slot and reboot into it (trial boot)");
  upgrade->add_option("--version", up.version, "target OS version (PRETTY_NAME)")->required();
  auto* url = upgrade->add_option("--image-url", up.image_url,
                                  "https:// (or, with --flag-safe, http://) URL of the image");
  auto* ref = upgrade->add_option("--container-image", up.container_image,
                                  "repository/name[:tag|@sha256:digest] carrying /os.tar");
  url->excludes(ref);
  upgrade->add_option("--checksum", up.checksum, "SHA-256 of the image (or the image digest)")
      ->required();
  upgrade->add_option("--image-type", up.image_type, "disk, docker or containerd")
      ->check(CLI::IsMember({"disk", "docker", "containerd"}));
  upgrade->add_flag("--flag-safe", up.flag_safe, "allow plain http");
  upgrade->add_flag("--mtls", up.mtls, "present --client-cert/--client-key to the server");
  upgrade->add_option("--ca-cert", up.ca_cert, "CA file name under /etc/KubeOS/certs/");
  upgrade->add_option("--client-cert", up.client_cert,
                      "certificate file name under /etc/KubeOS/certs/");
  upgrade->add_option("--client-key", up.client_key, "key file name under /etc/KubeOS/certs/");
  upgrade->add_flag("--no-reboot", up.no_reboot, "install and arm the boot, but do not reboot");
  AddWaitFlags(upgrade, common);

  std::string rb_version;
  bool rb_no_reboot = false;
  auto* rollback = app.add_subcommand("rollback", "boot the other slot (the previous OS)");
  rollback->add_option("--version", rb_version, "refuse unless the other slot holds this version");
  rollback->add_flag("--no-reboot", rb_no_reboot, "arm the boot, but do not reboot");
  AddWaitFlags(rollback, common);

  std::string config_file, config_kind = "sysconfigs";
  auto* config = app.add_subcommand(
      "config", "apply a sysconfigs/upgradeconfigs object (YAML or JSON, or a whole OS resource)");
  config->add_option("-f,--file", config_file, "the file, - for standard input")->required();
  config->add_option("--kind", config_kind, "which applied version it records")
      ->check(CLI::IsMember({"sysconfigs", "upgradeconfigs"}))
      ->capture_default_str();
  AddWaitFlags(config, common);

  std::string os_file;
  auto* apply = app.add_subcommand("apply", "run an OS custom resource's operation on this node");
  apply->add_option("-f,--file", os_file, "the OS resource (YAML or JSON), - for stdin")
      ->required();
  AddWaitFlags(apply, common);

  auto* jobs = app.add_subcommand("jobs", "show the running job");
  jobs->add_flag("--json", common.json, "print as JSON");

  std::string cancel_job;
  auto* cancel = app.add_subcommand("cancel", "cancel a job (until its point of no return)");
  cancel->add_option("JOB", cancel_job, "job id or object path")->required();

  CLI11_PARSE(app, argc, argv);

  auto client = Client::Connect();
  if (!client) return Report(client.error());
  Client& c = **client;

  if (*status) {
    auto s = c.Status();
    if (!s) return Report(s.error());
    const auto json = ToJson(*s);
    std::cout << (common.json ? json.dump(2) + "\n" : FormatStatus(json));
    return 0;
  }
  if (*upgrade) {
    OptionMap o{{"version", up.version}, {"checksum", up.checksum}};
    std::string type = up.image_type;
    if (type.empty()) type = up.container_image.empty() ? "disk" : "containerd";
    o["image-type"] = type;
    if (!up.image_url.empty()) o["image-url"] = up.image_url;
    if (!up.container_image.empty()) o["container-image"] = up.container_image;
    if (up.flag_safe) o["flag-safe"] = true;
    if (up.mtls) o["mtls"] = true;
    if (!up.ca_cert.empty()) o["ca-cert"] = up.ca_cert;
    if (!up.client_cert.empty()) o["client-cert"] = up.client_cert;
    if (!up.client_key.empty()) o["client-key"] = up.client_key;
    if (up.no_reboot) o["reboot"] = false;
    return RunJob(c, common, "Upgrade", std::nullopt, o);
  }
  if (*rollback) {
    OptionMap o;
    if (!rb_version.empty()) o["version"] = rb_version;
    if (rb_no_reboot) o["reboot"] = false;
    return RunJob(c, common, "Rollback", std::nullopt, o);
  }
  if (*config) {
    auto text = ReadFile(config_file);
    if (!text) return Report(text.error());
    auto json = core::config::ConfigJsonFromDocument(*text, config_kind);
    if (!json) return Report(json.error());
    return RunJob(c, common, "ApplyConfig", *json, {{"kind", config_kind}});
  }
  if (*apply) {
    auto text = ReadFile(os_file);
    if (!text) return Report(text.error());
    auto call = CallForOsResource(*text);
    if (!call) return Report(call.error());
    return RunJob(c, common, call->method,
                  call->method == "ApplyConfig" ? std::optional(call->config_json) : std::nullopt,
                  call->options);
  }
  if (*jobs) {
    auto s = c.Status();
    if (!s) return Report(s.error());
    const std::string path = ToJson(*s).value("active-job", "/");
    if (path == "/") {
      std::cout << (common.json ? "[]\n" : "No job is running.\n");
      return 0;
    }
    auto info = c.Job(path);
    if (!info) return Report(info.error());
    if (common.json) {
      std::cout << nlohmann::json::array({nlohmann::json{{"id", info->id},
                                                         {"path", info->path},
                                                         {"type", info->type},
                                                         {"stage", info->stage},
                                                         {"progress", info->progress},
                                                         {"bytes-done", info->bytes_done},
                                                         {"bytes-total", info->bytes_total}}})
                       .dump(2)
                << "\n";
    } else {
      std::cout << "ID  TYPE      STAGE             PROGRESS  PATH\n";
      std::printf("%-3u %-9s %-17s %7u%%  %s\n", info->id, info->type.c_str(), info->stage.c_str(),
                  info->progress, info->path.c_str());
    }
    return 0;
  }
  if (*cancel) {
    const std::string path =
        cancel_job.starts_with("/") ? cancel_job : std::string(dbus::kJobPathPrefix) + cancel_job;
    if (auto st = c.Cancel(path, common.interactive); !st) return Report(st.error());
    std::cout << "Cancel requested for " << path << "\n";
    return 0;
  }
  return 1;
}
