// SPDX-License-Identifier: MulanPSL-2.0
// The ContainerRuntime port with containerd: pulls with `crictl` when it is on PATH, else
// with `ctr -n k8s.io images pull --hosts-dir <certs.d>` (private registries, seed note 6); reads
// /os.tar through `ctr images mount` of a read-only snapshot, unmounted and removed with the
// stream, also on failure.
#pragma once

#include <string>

#include "core/ports/command_runner.h"
#include "core/ports/container_runtime.h"

namespace kubeos::platform {

struct ContainerdOptions {
  std::string hosts_dir = "/etc/containerd/certs.d";  // host path (--root applied)
  std::string mount_dir = "/run/kubeos/mnt";          // host path; the snapshot is mounted below
  std::string name_space = "k8s.io";
};

class ContainerdRuntime final : public core::ContainerRuntime {
 public:
  ContainerdRuntime(core::CommandRunner& runner, ContainerdOptions options)
      : runner_(runner), options_(std::move(options)) {}
  std::string_view Name() const override { return "containerd"; }
  Result<std::string> Pull(const std::string& reference) override;
  Result<std::unique_ptr<core::ByteSource>> OpenRootfsTar(const std::string& reference) override;

 private:
  Result<std::string> PullWithCrictl(const std::string& reference);
  Result<std::string> PullWithCtr(const std::string& reference);

  core::CommandRunner& runner_;
  ContainerdOptions options_;
};

}  // namespace kubeos::platform
