// SPDX-License-Identifier: MulanPSL-2.0
// which repository digest of a pulled image is compared with the checksum, and the
// stdout of a runtime CLI read as a stream with its exit status checked at the end.
#include "platform/container_cli.h"

#include <gtest/gtest.h>

namespace kubeos::platform {
namespace {

const std::string kA(64, 'a');
const std::string kB(64, 'b');

TEST(ContainerCliTest, R4_4_TheDigestOfTheReferencedRepositoryIsChosen) {
  const std::vector<std::string> digests = {"other/os@sha256:" + kB, "kubeos/os@sha256:" + kA};
  EXPECT_EQ(RepoDigestFor(digests, "docker.io/kubeos/os:latest").value(), kA);
  EXPECT_EQ(RepoDigestFor(digests, "kubeos/os@sha256:" + kA).value(), kA);
  EXPECT_EQ(RepoDigestFor({"busybox@sha256:" + kB}, "docker.io/library/busybox:1").value(), kB);
  EXPECT_EQ(RepoDigestFor({"127.0.0.1:5000/k/os@sha256:" + kB}, "127.0.0.1:5000/k/os:v1").value(),
            kB);
  EXPECT_EQ(RepoDigestFor(digests, "registry.example/kubeos/os:v1").error().code, Errc::kImagePull);
  EXPECT_EQ(RepoDigestFor({}, "kubeos/os:v1").error().code, Errc::kImagePull);
  EXPECT_EQ(RepoDigestFor({"kubeos/os@sha256:XYZ"}, "kubeos/os").error().code, Errc::kImagePull);
}

std::string ReadAll(core::ByteSource& s, Status& status) {
  std::string out;
  std::array<std::byte, 4096> buf;
  for (;;) {
    auto n = s.Read(buf);
    if (!n) {
      status = std::unexpected(n.error());
      return out;
    }
    if (*n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

TEST(ContainerCliTest, R4_5_ProcessOutputEndsOnlyAfterASuccessfulExit) {
  auto ok = ProcessOutput::Start({"printf", "%s", "os.tar bytes"}, Errc::kInvalidImage);
  ASSERT_TRUE(ok.has_value());
  Status status;
  EXPECT_EQ(ReadAll(**ok, status), "os.tar bytes");
  EXPECT_TRUE(status.has_value());

  auto bad = ProcessOutput::Start({"ls", "/nonexistent-kubeos"}, Errc::kInvalidImage);
  ASSERT_TRUE(bad.has_value());
  (void)ReadAll(**bad, status);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, Errc::kInvalidImage);
  EXPECT_NE(status.error().message.find("nonexistent-kubeos"), std::string::npos);

  EXPECT_FALSE(ProcessOutput::Start({"/nonexistent/cli"}, Errc::kImagePull).has_value());
  // Dropped before its end: the child is killed and reaped (no hang, no zombie).
  auto endless = ProcessOutput::Start({"yes"}, Errc::kFailed);
  ASSERT_TRUE(endless.has_value());
  std::array<std::byte, 16> buf;
  ASSERT_TRUE((*endless)->Read(buf).has_value());
  endless->reset();
}

}  // namespace
}  // namespace kubeos::platform
