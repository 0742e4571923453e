// SPDX-License-Identifier: MulanPSL-2.0
// Helpers for the disk tests: commands that must succeed, a GPT A/B disk on a loop device, a
// mount, a test PKI made with the openssl CLI — each cleaned up by its destructor.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kubeos::testing {

// Runs |argv| (no shell); throws std::runtime_error with the output when it fails.
std::string MustRun(const std::vector<std::string>& argv);
// Exit code of |argv|, output discarded.
int RunStatus(const std::vector<std::string>& argv);

std::string ReadFile(const std::filesystem::path& path, uint64_t limit = UINT64_MAX);
void WriteFile(const std::filesystem::path& path, std::string_view data, mode_t mode = 0644);
// Hex SHA-256 of the first |limit| bytes of a file or device.
std::string Sha256Of(const std::filesystem::path& path, uint64_t limit = UINT64_MAX);

// A sparse disk image with a GPT (ESP, ROOT-A, ROOT-B, PERSIST) attached to a loop device with
// its partitions; detached on destruction.
class LoopDisk {
 public:
  LoopDisk(const std::filesystem::path& image, uint64_t slot_mib);
  ~LoopDisk();
  LoopDisk(const LoopDisk&) = delete;
  LoopDisk& operator=(const LoopDisk&) = delete;
  const std::string& device() const { return device_; }
  std::string Partition(int n) const { return device_ + "p" + std::to_string(n); }

 private:
  std::string device_;
};

// A mount of |device| on |dir| (created), unmounted on destruction.
class ScopedMount {
 public:
  ScopedMount(const std::string& device, const std::filesystem::path& dir, bool read_only);
  ~ScopedMount();
  ScopedMount(const ScopedMount&) = delete;
  ScopedMount& operator=(const ScopedMount&) = delete;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// ca.pem/ca.key, server.pem/server.key (for 127.0.0.1), client.pem/client.key signed by the CA,
// and wrong-ca.pem, an unrelated CA.
void MakeTestPki(const std::filesystem::path& dir);

}  // namespace kubeos::testing
