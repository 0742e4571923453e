// SPDX-License-Identifier: MulanPSL-2.0
#include "platform/container_docker.h"

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "core/upgrade/tar_member.h"
#include "platform/container_cli.h"

namespace kubeos::platform {
namespace {

// /os.tar of a temporary container: `docker cp` writes a one-member tar, unwrapped on the fly.
// The copy must end cleanly (exit 0) before the end is reported; the container goes with it.
class DockerOsTar final : public core::ByteSource {
 public:
  DockerOsTar(core::CommandRunner& runner,
              std::string container,
              std::unique_ptr<ProcessOutput> copy)
      : runner_(runner),
        container_(std::move(container)),
        copy_(std::move(copy)),
        member_(*copy_, "os.tar") {}
  ~DockerOsTar() override {
    copy_.reset();
    RemoveContainer(runner_, container_);
  }
  DockerOsTar(const DockerOsTar&) = delete;
  DockerOsTar& operator=(const DockerOsTar&) = delete;

  Result<size_t> Read(std::span<std::byte> buffer) override {
    KUBEOS_ASSIGN_OR_RETURN(const size_t n, member_.Read(buffer));
    if (n > 0) return n;
    for (;;) {  // the archive's end blocks, then the exit status
      KUBEOS_ASSIGN_OR_RETURN(const size_t rest, copy_->Read(buffer));
      if (rest == 0) return size_t{0};
    }
  }
  std::optional<uint64_t> TotalSize() const override { return member_.TotalSize(); }

  static void RemoveContainer(core::CommandRunner& runner, const std::string& id) {
    if (auto rm = RunOrFail(runner, {"docker", "rm", "--force", id}, Errc::kFailed); !rm) {
      log::Warning("could not remove temporary container " + id + ": " + rm.error().message);
    }
  }

 private:
  core::CommandRunner& runner_;
  std::string container_;
  std::unique_ptr<ProcessOutput> copy_;
  core::upgrade::TarMemberSource member_;
};

// The container id `docker create` prints as its last line (64 hex digits).
Result<std::string> ContainerId(const std::string& output) {
  std::string_view text = output;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  const size_t nl = text.rfind('\n');
  const std::string_view id = nl == std::string_view::npos ? text : text.substr(nl + 1);
  if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return Fail(Errc::kFailed, "docker create printed no container id: " + std::string(text));
  }
  return std::string(id);
}

}  // namespace

Result<std::string> DockerRuntime::Pull(const std::string& reference) {
  KUBEOS_TRY(RunOrFail(runner_, {"docker", "pull", reference}, Errc::kImagePull));
  KUBEOS_ASSIGN_OR_RETURN(
      const std::string json,
      RunOrFail(runner_,
                {"docker", "image", "inspect", "--format", "{{json .RepoDigests}}", reference},
                Errc::kImagePull));
  std::vector<std::string> digests;
  try {
    const auto parsed = nlohmann::json::parse(json);
    for (const auto& d : parsed) digests.push_back(d.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    return Fail(Errc::kImagePull,
                "docker image inspect " + reference + ": unexpected RepoDigests output: " + json);
  }
  return RepoDigestFor(digests, reference);
}

Result<std::unique_ptr<core::ByteSource>> DockerRuntime::OpenRootfsTar(
    const std::string& reference) {
  // The command is never run; it spares images without CMD the "no command specified" error.
  KUBEOS_ASSIGN_OR_RETURN(
      const std::string created,
      RunOrFail(runner_, {"docker", "create", reference, "/kubeos-not-run"}, Errc::kInvalidImage));
  KUBEOS_ASSIGN_OR_RETURN(const std::string id, ContainerId(created));
  auto copy = ProcessOutput::Start({"docker", "cp", id + ":/os.tar", "-"}, Errc::kInvalidImage);
  if (!copy) {
    DockerOsTar::RemoveContainer(runner_, id);
    return std::unexpected(std::move(copy).error());
  }
  return std::make_unique<DockerOsTar>(runner_, id, std::move(*copy));
}

}  // namespace kubeos::platform
