// SPDX-License-Identifier: MulanPSL-2.0
// kubeosd's Upgrade/Rollback options for a dispatch.
#include "proxy/core/start_options.h"

#include <gtest/gtest.h>

namespace kubeos::proxy {
namespace {

using nlohmann::json;

op::OsInstanceObject Osi(int generation = 3) {
  return op::ParseOsInstance({{"metadata", {{"name", "n1"}, {"generation", 1}}},
                              {"spec",
                               {{"nodestatus", "upgrade"},
                                {"osversion", "KubeOS 2"},
                                {"osgeneration", generation},
                                {"namespacedname", {{"name", "os1"}, {"namespace", "default"}}},
                                {"sysconfigs", {{"version", "s2"}, {"configs", json::array()}}}}}});
}

json Os(int generation = 3) {
  return {{"metadata", {{"name", "os1"}, {"namespace", "default"}, {"generation", generation}}},
          {"spec",
           {{"opstype", "upgrade"},
            {"osversion", "KubeOS 2"},
            {"imagetype", "disk"},
            {"imageurl", "https://repo/kubeos.img"},
            {"checksum", "abc"},
            {"flagSafe", false},
            {"mtls", true},
            {"cacert", "ca.crt"},
            {"clientcert", "c.crt"},
            {"clientkey", "c.key"},
            {"evictpodforce", true}}}};
}

TEST(StartOptionsTest, UpgradeTakesTheImageFromTheOsAndSysconfigsFromTheOsInstance) {
  auto o = StartOptions("Upgrade", Osi(), Os());
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(std::get<std::string>(o->at("version")), "KubeOS 2");
  EXPECT_EQ(std::get<std::string>(o->at("image-type")), "disk");
  EXPECT_EQ(std::get<std::string>(o->at("image-url")), "https://repo/kubeos.img");
  EXPECT_EQ(std::get<std::string>(o->at("checksum")), "abc");
  EXPECT_TRUE(std::get<bool>(o->at("mtls")));
  EXPECT_EQ(std::get<std::string>(o->at("client-key")), "c.key");
  EXPECT_EQ(json::parse(std::get<std::string>(o->at("post-config")))["version"], "s2");
  EXPECT_FALSE(o->contains("pre-config"));  // applied by the proxy before the cordon
  EXPECT_FALSE(o->contains("container-image"));
}

TEST(StartOptionsTest, ContainerImagesUseContainerImage) {
  json os = Os();
  os["spec"]["imagetype"] = "containerd";
  os["spec"]["containerimage"] = "repo/kubeos:v2";
  auto o = StartOptions("Upgrade", Osi(), os);
  ASSERT_TRUE(o);
  EXPECT_EQ(std::get<std::string>(o->at("container-image")), "repo/kubeos:v2");
  EXPECT_FALSE(o->contains("image-url"));
}

TEST(StartOptionsTest, RollbackNamesTheVersion) {
  auto o = StartOptions("Rollback", Osi(), Os());
  ASSERT_TRUE(o);
  EXPECT_EQ(std::get<std::string>(o->at("version")), "KubeOS 2");
  EXPECT_FALSE(o->contains("image-url"));
}

TEST(StartOptionsTest, RefusesAnOsChangedSinceTheDispatch) {
  auto o = StartOptions("Upgrade", Osi(3), Os(4));
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().message.find("generation 4"), std::string::npos);
}

TEST(StartOptionsTest, RefusesAnUpgradeWithoutImage) {
  json os = Os();
  os["spec"].erase("imageurl");
  EXPECT_FALSE(StartOptions("Upgrade", Osi(), os));
}

TEST(StartOptionsTest, EvictPodForceDefaultsToFalse) {
  EXPECT_TRUE(EvictPodForce(Os()));
  json os = Os();
  os["spec"].erase("evictpodforce");
  EXPECT_FALSE(EvictPodForce(os));
}

}  // namespace
}  // namespace kubeos::proxy
