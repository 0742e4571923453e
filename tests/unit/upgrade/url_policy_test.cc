// SPDX-License-Identifier: MulanPSL-2.0
#include "core/upgrade/url_policy.h"

#include <gtest/gtest.h>

namespace kubeos::core::upgrade {
namespace {

struct UrlCase {
  const char* url;
  bool flag_safe;
  std::optional<UrlScheme> scheme;  // nullopt: refused with |code|
  Errc code;
};

TEST(UrlPolicyTest, AcceptsOnlyHttpsOrHttpWithFlagSafe) {
  const UrlCase cases[] = {
      {"https://repo.example/os.img", false, UrlScheme::kHttps, Errc::kFailed},
      {"HTTPS://repo.example/os.img", false, UrlScheme::kHttps, Errc::kFailed},
      {"https://127.0.0.1:8443/a/b.tar?x=1", false, UrlScheme::kHttps, Errc::kFailed},
      {"http://repo.example/os.img", true, UrlScheme::kHttp, Errc::kFailed},
      {"http://repo.example/os.img", false, std::nullopt, Errc::kUnsafeUrl},
      {"ftp://repo.example/os.img", true, std::nullopt, Errc::kUnsafeUrl},
      {"file:///etc/shadow", true, std::nullopt, Errc::kUnsafeUrl},
      {"/persist/update.img", true, std::nullopt, Errc::kUnsafeUrl},
      {"gopher://x/", true, std::nullopt, Errc::kUnsafeUrl},
      {"https:///etc/passwd", false, std::nullopt, Errc::kInvalidArgs},
      {"https://", false, std::nullopt, Errc::kInvalidArgs},
      {"https://host/a b", false, std::nullopt, Errc::kInvalidArgs},
      {"https://host/a\nHost: evil", false, std::nullopt, Errc::kInvalidArgs},
      {"", true, std::nullopt, Errc::kInvalidArgs},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    const auto r = CheckImageUrl(c.url, c.flag_safe);
    if (c.scheme) {
      ASSERT_TRUE(r.has_value()) << r.error().message;
      EXPECT_EQ(*r, *c.scheme);
    } else {
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().code, c.code) << r.error().message;
    }
  }
}

TEST(UrlPolicyTest, RefusesCertNamesThatLeaveTheCertsDirectory) {
  for (const char* bad : {"../ca.pem", "..", ".", "a/b.pem", "/etc/ssl/ca.pem", "ca..pem/..", "x\n",
                          "", "sub/../ca.pem"}) {
    SCOPED_TRACE(bad);
    const auto r = CertPath("/etc/KubeOS/certs", bad, "ca-cert");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::kInvalidArgs);
  }
  EXPECT_EQ(CertPath("/etc/KubeOS/certs", "ca.pem", "ca-cert").value(), "/etc/KubeOS/certs/ca.pem");
  EXPECT_EQ(CertPath("/etc/KubeOS/certs/", "ca.pem", "ca-cert").value(),
            "/etc/KubeOS/certs/ca.pem");
}

TEST(UrlPolicyTest, KeyMustBePrivateToItsOwner) {
  EXPECT_TRUE(KeyModeIsPrivate(0600));
  EXPECT_TRUE(KeyModeIsPrivate(0400));
  EXPECT_FALSE(KeyModeIsPrivate(0640));
  EXPECT_FALSE(KeyModeIsPrivate(0604));
  EXPECT_FALSE(KeyModeIsPrivate(0620));
  EXPECT_FALSE(KeyModeIsPrivate(0644));
}

TEST(UrlPolicyTest, HttpsAlwaysCarriesTheCaAndMtlsTheClientPair) {
  UpgradeRequest r;
  r.image_url = "https://repo/os.img";
  r.ca_cert = "ca.pem";
  auto spec = PlanFetch(r, "/etc/KubeOS/certs");
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->ca_file, "/etc/KubeOS/certs/ca.pem");
  EXPECT_TRUE(spec->client_cert_file.empty());

  r.mtls = true;
  r.client_cert = "client.pem";
  r.client_key = "client.key";
  spec = PlanFetch(r, "/etc/KubeOS/certs");
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->client_cert_file, "/etc/KubeOS/certs/client.pem");
  EXPECT_EQ(spec->client_key_file, "/etc/KubeOS/certs/client.key");

  r.client_key = "";
  EXPECT_EQ(PlanFetch(r, "/etc/KubeOS/certs").error().code, Errc::kInvalidArgs);
  r.ca_cert = "";
  r.mtls = false;
  EXPECT_EQ(PlanFetch(r, "/etc/KubeOS/certs").error().code, Errc::kInvalidArgs);
}

TEST(UrlPolicyTest, PlainHttpNeverCarriesCertificates) {
  UpgradeRequest r;
  r.image_url = "http://repo/os.img";
  r.flag_safe = true;
  r.ca_cert = "ca.pem";
  const auto spec = PlanFetch(r, "/etc/KubeOS/certs");
  ASSERT_TRUE(spec.has_value());
  EXPECT_TRUE(spec->ca_file.empty());
  r.mtls = true;
  EXPECT_EQ(PlanFetch(r, "/etc/KubeOS/certs").error().code, Errc::kInvalidArgs);
}

TEST(UrlPolicyTest, ComparesDigestsCaseInsensitively) {
  const std::string lower(64, 'a');
  const std::string upper(64, 'A');
  EXPECT_TRUE(IsSha256Hex(upper));
  EXPECT_FALSE(IsSha256Hex(lower.substr(1)));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'g')));
  EXPECT_TRUE(SameDigest(lower, upper));
  EXPECT_FALSE(SameDigest(lower, std::string(64, 'b')));
  EXPECT_FALSE(SameDigest(lower, lower.substr(1)));
}

}  // namespace
}  // namespace kubeos::core::upgrade
