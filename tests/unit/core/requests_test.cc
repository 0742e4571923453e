// SPDX-License-Identifier: MulanPSL-2.0
// Decoding the D-Bus option dictionaries: everything wrong is InvalidArgs before polkit is asked.
#include "core/requests.h"

#include <gtest/gtest.h>

namespace kubeos::core {
namespace {

const std::string kSum(64, 'a');

OptionValue S(std::string v) { return OptionValue{std::move(v), "s"}; }
OptionValue B(bool v) { return OptionValue{v, "b"}; }
OptionValue U() { return OptionValue{std::monostate{}, "u"}; }

Options ValidUpgrade() {
  return {{"version", S("KubeOS 1.0.2")},
          {"image-type", S("disk")},
          {"image-url", S("https://repo.example/update.img")},
          {"checksum", S(kSum)}};
}

TEST(DecodeUpgrade, AcceptsTheSeedsDiskUpgradeAndAppliesDefaults) {
  auto r = DecodeUpgrade(ValidUpgrade());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version, "KubeOS 1.0.2");
  EXPECT_EQ(r->image_type, ImageType::kDisk);
  EXPECT_TRUE(r->reboot);
  EXPECT_FALSE(r->flag_safe);
}

TEST(DecodeUpgrade, AcceptsContainerImagesWithDigestChecksums) {
  Options o{{"version", S("v2")},
            {"image-type", S("containerd")},
            {"container-image", S("registry:5000/kubeos:v2")},
            {"checksum", S("sha256:" + kSum)}};
  auto r = DecodeUpgrade(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->image_type, ImageType::kContainerd);
}

struct Bad {
  const char* name;
  Options options;
  const char* expected;  // part of the message
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const Bad& bad, std::ostream* os) { *os << bad.name; }

class DecodeUpgradeRefuses : public ::testing::TestWithParam<Bad> {};

TEST_P(DecodeUpgradeRefuses, WithInvalidArgsNamingTheProblem) {
  auto r = DecodeUpgrade(GetParam().options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidArgs);
  EXPECT_NE(r.error().message.find(GetParam().expected), std::string::npos) << r.error().message;
}

Options With(Options o, const std::string& key, OptionValue v) {
  o[key] = std::move(v);
  return o;
}
Options Without(Options o, const std::string& key) {
  o.erase(key);
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    Table,
    DecodeUpgradeRefuses,
    ::testing::Values(
        Bad{"UnknownKey", With(ValidUpgrade(), "imageurl", S("x")), "unknown option 'imageurl'"},
        Bad{"WrongType", With(ValidUpgrade(), "reboot", S("false")),
            "'reboot' must be of type 'b'"},
        Bad{"UnsupportedType", With(ValidUpgrade(), "mtls", U()), "got 'u'"},
        Bad{"MissingVersion", Without(ValidUpgrade(), "version"), "'version' is required"},
        Bad{"MissingType", Without(ValidUpgrade(), "image-type"), "'image-type' is required"},
        Bad{"UnknownType", With(ValidUpgrade(), "image-type", S("iso")),
            "disk, docker or containerd"},
        Bad{"MissingUrl", Without(ValidUpgrade(), "image-url"), "'image-url' is required"},
        Bad{"MissingChecksum", Without(ValidUpgrade(), "checksum"), "'checksum' is required"},
        Bad{"ShortChecksum", With(ValidUpgrade(), "checksum", S("abc")), "64 hex digits"},
        Bad{"NonHexChecksum", With(ValidUpgrade(), "checksum", S(std::string(64, 'z'))), "64 hex"},
        Bad{"CertWithSlash", With(ValidUpgrade(), "ca-cert", S("../etc/shadow")), "file name"},
        Bad{"KeyWithSlash", With(ValidUpgrade(), "client-key", S("/root/key.pem")), "file name"},
        Bad{"DotDotCert", With(ValidUpgrade(), "client-cert", S("..")), "file name"},
        Bad{"MtlsWithoutCert", With(ValidUpgrade(), "mtls", B(true)), "needs 'client-cert'"},
        Bad{"NewlineInVersion", With(ValidUpgrade(), "version", S("v1\nPRETTY_NAME=x")),
            "control characters"},
        Bad{"ContainerImageOnDisk", With(ValidUpgrade(), "container-image", S("a/b")),
            "does not apply"}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(DecodeRollback, AcceptsNoOptionsAndRefusesUnknownOnes) {
  auto ok = DecodeRollback({});
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->reboot);
  auto bad = DecodeRollback({{"image-url", S("x")}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kInvalidArgs);
}

TEST(DecodeConfig, DefaultsToSysconfigsAndRefusesOtherKinds) {
  auto ok = DecodeConfig("{}", {});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->kind, ConfigKind::kSysconfigs);
  auto up = DecodeConfig("{}", {{"kind", S("upgradeconfigs")}});
  ASSERT_TRUE(up);
  EXPECT_EQ(up->kind, ConfigKind::kUpgradeconfigs);
  EXPECT_FALSE(DecodeConfig("{}", {{"kind", S("other")}}));
  EXPECT_FALSE(DecodeConfig("", {}));
}

}  // namespace
}  // namespace kubeos::core
