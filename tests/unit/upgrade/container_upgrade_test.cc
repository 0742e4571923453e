// SPDX-License-Identifier: MulanPSL-2.0
// upgrades from docker/containerd images against a fake runtime — the digest is
// checked before anything is written, /os.tar takes the tar path into the standby slot, and every
// refusal leaves the booted slot and the boot configuration untouched.
#include <gtest/gtest.h>

#include <cstring>

#include "core/upgrade/tar_member.h"
#include "core/upgrade/upgrade_job.h"
#include "unit/upgrade/upgrade_test_env.h"

namespace kubeos::core::upgrade {
namespace {

using testing::UpgradeWorld;

const std::string kDigest(64, 'a');

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string body, size_t chunk = 1000)
      : body_(std::move(body)), chunk_(chunk) {}
  Result<size_t> Read(std::span<std::byte> out) override {
    const size_t n = std::min({out.size(), body_.size() - pos_, chunk_});
    std::memcpy(out.data(), body_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::optional<uint64_t> TotalSize() const override { return body_.size(); }

 private:
  std::string body_;
  size_t chunk_;
  size_t pos_ = 0;
};

class FakeRuntime final : public ContainerRuntime {
 public:
  std::string digest = kDigest;
  std::optional<Error> pull_error;
  std::optional<Error> open_error;
  std::string os_tar;
  std::vector<std::string> pulled;
  int opened = 0;

  std::string_view Name() const override { return "fake"; }
  Result<std::string> Pull(const std::string& reference) override {
    pulled.push_back(reference);
    if (pull_error) return std::unexpected(*pull_error);
    return digest;
  }
  Result<std::unique_ptr<ByteSource>> OpenRootfsTar(const std::string&) override {
    ++opened;
    if (open_error) return std::unexpected(*open_error);
    return std::unique_ptr<ByteSource>(std::make_unique<StringSource>(os_tar));
  }
};

std::string TarImage() {
  std::string s(8192, '\0');
  std::memcpy(s.data() + 257, "ustar", 5);
  std::memcpy(s.data(), "./etc/os-release", 16);
  return s;
}

class ContainerUpgradeTest : public ::testing::Test {
 protected:
  ContainerUpgradeTest() {
    w.deps.containerd = &runtime;
    w.deps.docker = &runtime;
    runtime.os_tar = TarImage();
  }
  UpgradeRequest Request(ImageType type = ImageType::kContainerd) {
    UpgradeRequest r;
    r.version = "KubeOS 1.0.2";
    r.image_type = type;
    r.container_image = "registry.example:5000/kubeos/os:v2";
    r.checksum = kDigest;
    return r;
  }
  void ExpectBootUntouched() {
    EXPECT_EQ(w.installer.devices["/dev/vda2"], "booted root");
    EXPECT_EQ(w.boot.writes, 0);
    EXPECT_FALSE(w.ctx.state.pending.has_value());
  }

  UpgradeWorld w;
  FakeRuntime runtime;
};

TEST_F(ContainerUpgradeTest, R4_5_OsTarOfThePulledImageIsExtractedIntoTheStandbyAndArmed) {
  for (const ImageType type : {ImageType::kContainerd, ImageType::kDocker}) {
    UpgradeWorld world;
    world.deps.containerd = &runtime;
    world.deps.docker = &runtime;
    const auto outcome = RunUpgrade(world.deps, Request(type), world.ctx);
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    EXPECT_EQ(runtime.pulled.back(), "registry.example:5000/kubeos/os:v2");
    EXPECT_TRUE(world.installer.devices["/dev/vda3"].starts_with("extracted:"));
    EXPECT_EQ(world.installer.last_label, "ROOT-B");
    EXPECT_EQ(world.ctx.state.slot_b.health, SlotHealth::kInstalled);
    EXPECT_EQ(world.ctx.state.slot_b.version, "KubeOS 1.0.2");
    ASSERT_TRUE(world.ctx.state.pending.has_value());
    EXPECT_EQ(world.ctx.state.pending->target, Slot::kB);
    EXPECT_EQ(world.installer.devices["/dev/vda2"], "booted root");
  }
}

TEST_F(ContainerUpgradeTest, R4_5_ReferencesWithoutRegistryOrTagAreFullyQualifiedForTheRuntime) {
  UpgradeRequest r = Request();
  r.container_image = "kubeos/os";
  ASSERT_TRUE(RunUpgrade(w.deps, r, w.ctx).has_value());
  EXPECT_EQ(runtime.pulled.back(), "docker.io/kubeos/os:latest");
}

TEST_F(ContainerUpgradeTest, R4_5_MalformedReferencesAreRefusedBeforeAnyRuntimeCall) {
  for (const char* bad : {"kubeos/os;reboot", "kubeos/os $(id)", "-x/os", "os", "a/b:t@sha256:"}) {
    SCOPED_TRACE(bad);
    UpgradeRequest r = Request();
    r.container_image = bad;
    const auto outcome = RunUpgrade(w.deps, r, w.ctx);
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, Errc::kInvalidArgs);
  }
  EXPECT_TRUE(runtime.pulled.empty());
  EXPECT_EQ(w.installer.invalidations, 0);
  EXPECT_EQ(w.installer.devices["/dev/vda3"], "old standby");
  ExpectBootUntouched();
}

TEST_F(ContainerUpgradeTest, R4_4_ADigestInTheReferenceThatIsNotTheChecksumIsRefusedUpFront) {
  UpgradeRequest r = Request();
  r.container_image = "kubeos/os@sha256:" + std::string(64, 'b');
  const auto outcome = RunUpgrade(w.deps, r, w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kChecksumMismatch);
  EXPECT_TRUE(runtime.pulled.empty());
  ExpectBootUntouched();
}

TEST_F(ContainerUpgradeTest, R4_4_APulledDigestOtherThanTheChecksumMarksTheStandbyBad) {
  runtime.digest = std::string(64, 'c');
  const auto outcome = RunUpgrade(w.deps, Request(), w.ctx);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, Errc::kChecksumMismatch);
  EXPECT_NE(outcome.error().message.find(kDigest), std::string::npos);
  EXPECT_NE(outcome.error().message.find(runtime.digest), std::string::npos);
  EXPECT_EQ(runtime.opened, 0);
  EXPECT_EQ(w.installer.writes, 0);
  EXPECT_EQ(w.installer.devices["/dev/vda3"], "");  // invalidated
  EXPECT_EQ(w.ctx.state.slot_b.health, SlotHealth::kBad);
  ExpectBootUntouched();
}

TEST_F(ContainerUpgradeTest, R4_5_PullFailureMissingOsTarOrNonTarLeaveTheStandbyInvalid) {
  struct Case {
    const char* name;
    std::function<void(FakeRuntime&)> setup;
    Errc code;
  };
  const Case cases[] = {
      {"pull fails",
       [](FakeRuntime& r) {
         r.pull_error = Error{Errc::kImagePull, "not found"};
       },
       Errc::kImagePull},
      {"no /os.tar",
       [](FakeRuntime& r) {
         r.open_error = Error{Errc::kInvalidImage, "no /os.tar"};
       },
       Errc::kInvalidImage},
      {"/os.tar is not a tar", [](FakeRuntime& r) { r.os_tar = std::string(9000, 'x'); },
       Errc::kInvalidImage},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    UpgradeWorld world;
    FakeRuntime failing;
    failing.os_tar = TarImage();
    c.setup(failing);
    world.deps.containerd = &failing;
    const auto outcome = RunUpgrade(world.deps, Request(), world.ctx);
    ASSERT_FALSE(outcome.has_value());
    EXPECT_EQ(outcome.error().code, c.code) << outcome.error().message;
    EXPECT_EQ(world.installer.devices["/dev/vda3"], "");
    EXPECT_NE(world.ctx.state.slot_b.health, SlotHealth::kInstalled);
    EXPECT_EQ(world.installer.devices["/dev/vda2"], "booted root");
    EXPECT_EQ(world.boot.writes, 0);
    EXPECT_FALSE(world.ctx.state.pending.has_value());
  }
}

// A tar header block for |name| of |size| bytes (ustar, octal fields, valid checksum).
std::string Header(const std::string& name, size_t size, char type = '0') {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  std::snprintf(h.data() + 124, 12, "%011zo", size);
  h[156] = type;
  std::memcpy(h.data() + 257,
              "ustar\0"
              "00",
              8);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (const char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  return h;
}

std::string Padded(std::string s) {
  s.resize((s.size() + 511) / 512 * 512, '\0');
  return s;
}

std::string ReadAll(ByteSource& s, Status* status = nullptr) {
  std::string out;
  std::array<std::byte, 300> buf;
  for (;;) {
    auto n = s.Read(buf);
    if (!n) {
      if (status) *status = std::unexpected(n.error());
      return out;
    }
    if (*n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

TEST(TarMemberTest, R4_5_YieldsTheContentOfTheNamedMemberOnly) {
  const std::string content(1300, 'o');
  const std::string pax = "15 path=os.tar\n";
  for (const std::string& archive : {
           Header("os.tar", content.size()) + Padded(content) + std::string(1024, '\0'),
           Header("./dir/", 0, '5') + Header("other", 3) + Padded("abc") +
               Header("os.tar", content.size()) + Padded(content),
           Header("PaxHeaders/x", pax.size(), 'x') + Padded(pax) +
               Header("long-truncated-name", content.size()) + Padded(content),
       }) {
    StringSource src(archive, 77);
    TarMemberSource member(src, "os.tar");
    EXPECT_EQ(ReadAll(member), content);
    EXPECT_EQ(member.TotalSize(), content.size());
  }
}

TEST(TarMemberTest, R4_5_AMissingOrTruncatedMemberIsAnInvalidImage) {
  for (const std::string& archive :
       {std::string(1024, '\0'), Header("etc", 3) + Padded("abc"),
        Header("os.tar", 2000) + std::string(600, 'o'), Header("os.tar", 0, '2'), std::string()}) {
    StringSource src(archive);
    TarMemberSource member(src, "os.tar");
    Status status;
    (void)ReadAll(member, &status);
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code, Errc::kInvalidImage) << status.error().message;
  }
}

}  // namespace
}  // namespace kubeos::core::upgrade
