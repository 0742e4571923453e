// SPDX-License-Identifier: MulanPSL-2.0
#include "disk/disk_fixture.h"

#include <sys/mount.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "platform/openssl_sha256.h"
#include "platform/posix_command_runner.h"

namespace kubeos::testing {
namespace fs = std::filesystem;

std::string MustRun(const std::vector<std::string>& argv) {
  platform::PosixCommandRunner runner;
  auto r = runner.Run(argv);
  std::string line;
  for (const auto& a : argv) line += a + " ";
  if (!r) throw std::runtime_error(line + ": " + r.error().message);
  if (r->exit_code != 0) {
    throw std::runtime_error(line + "exited " + std::to_string(r->exit_code) + ": " + r->output);
  }
  return r->output;
}

int RunStatus(const std::vector<std::string>& argv) {
  platform::PosixCommandRunner runner;
  auto r = runner.Run(argv);
  return r ? r->exit_code : -1;
}

std::string ReadFile(const fs::path& path, uint64_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string data;
  char buf[65536];
  while (data.size() < limit && in) {
    in.read(buf, static_cast<std::streamsize>(std::min<uint64_t>(sizeof buf, limit - data.size())));
    data.append(buf, static_cast<size_t>(in.gcount()));
  }
  return data;
}

void WriteFile(const fs::path& path, std::string_view data, mode_t mode) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
  fs::permissions(path, static_cast<fs::perms>(mode));
}

std::string Sha256Of(const fs::path& path, uint64_t limit) {
  platform::OpenSslHasherFactory factory;
  auto hash = factory.NewSha256();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  char buf[1 << 16];
  uint64_t done = 0;
  while (done < limit && in) {
    in.read(buf, static_cast<std::streamsize>(std::min<uint64_t>(sizeof buf, limit - done)));
    const auto n = static_cast<size_t>(in.gcount());
    hash->Update(std::as_bytes(std::span(buf, n)));
    done += n;
  }
  return hash->FinalHex();
}

LoopDisk::LoopDisk(const fs::path& image, uint64_t slot_mib) {
  const std::string slot = "+" + std::to_string(slot_mib) + "M";
  MustRun({"truncate", "-s", std::to_string(2 * slot_mib + 24) + "M", image.string()});
  MustRun({"sgdisk", "--clear", "-n1:0:+8M", "-t1:ef00", "-c1:ESP", "-n2:0:" + slot, "-c2:ROOT-A",
           "-n3:0:" + slot, "-c3:ROOT-B", "-n4:0:0", "-c4:PERSIST", image.string()});
  device_ = MustRun({"losetup", "--find", "--show", image.string()});
  while (!device_.empty() && device_.back() == '\n') device_.pop_back();
  // losetup --partscan is not honoured everywhere (max_part=0); partx adds the partitions.
  try {
    MustRun({"partx", "--add", device_});
  } catch (...) {
    RunStatus({"losetup", "--detach", device_});
    throw;
  }
}

LoopDisk::~LoopDisk() {
  RunStatus({"partx", "--delete", device_});
  RunStatus({"losetup", "--detach", device_});
}

ScopedMount::ScopedMount(const std::string& device, const fs::path& dir, bool read_only)
    : dir_(dir) {
  fs::create_directories(dir);
  if (::mount(device.c_str(), dir.c_str(), "ext4", read_only ? MS_RDONLY : 0, nullptr) != 0) {
    throw std::runtime_error("mount " + device + " on " + dir.string() + " failed");
  }
}

ScopedMount::~ScopedMount() {
  if (::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
}

void MakeTestPki(const fs::path& dir) {
  fs::create_directories(dir);
  const auto p = [&](const char* name) { return (dir / name).string(); };
  const auto self_signed = [&](const char* key, const char* cert, const char* cn) {
    MustRun({"openssl",
             "req",
             "-x509",
             "-newkey",
             "ec",
             "-pkeyopt",
             "ec_paramgen_curve:prime256v1",
             "-nodes",
             "-keyout",
             p(key),
             "-out",
             p(cert),
             "-days",
             "2",
             "-subj",
             std::string("/CN=") + cn,
             "-addext",
             "basicConstraints=critical,CA:TRUE",
             "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
  };
  self_signed("ca.key", "ca.pem", "kubeos test CA");
  self_signed("wrong-ca.key", "wrong-ca.pem", "unrelated CA");
  const auto leaf = [&](const char* name, const std::string& ext) {
    const std::string key = std::string(name) + ".key";
    const std::string csr = std::string(name) + ".csr";
    const std::string cert = std::string(name) + ".pem";
    const std::string extfile = std::string(name) + ".ext";
    WriteFile(dir / extfile, ext);
    MustRun({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", p(key.c_str()), "-out", p(csr.c_str()), "-subj",
             std::string("/CN=") + name});
    MustRun({"openssl", "x509", "-req", "-in", p(csr.c_str()), "-CA", p("ca.pem"), "-CAkey",
             p("ca.key"), "-CAcreateserial", "-out", p(cert.c_str()), "-days", "2", "-extfile",
             p(extfile.c_str())});
  };
  leaf("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  leaf("client", "extendedKeyUsage=clientAuth\n");
}

}  // namespace kubeos::testing
