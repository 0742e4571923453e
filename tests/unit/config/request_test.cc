// SPDX-License-Identifier: MulanPSL-2.0
// Parsing requests and turning CLI documents (YAML, JSON, whole OS resources) into request JSON.
#include "core/config/request.h"

#include <gtest/gtest.h>

namespace kubeos::core::config {
namespace {

using nlohmann::json;

TEST(ParseRequest, KeepsValueTypesAndDefaults) {
  auto r = ParseRequest(R"({"version":"v1","configs":[
    {"model":"kubernetes.kubelet","configpath":"/var/lib/kubelet/config.yaml","contents":[
      {"key":"maxPods","value":110},{"key":"a","value":true},{"key":"b","value":"10"},
      {"key":"c","value":["x",1]},{"key":"d","operation":"delete"},{"key":"e","value":1.5,"operation":""}]},
    {"model":"grub.cmdline.next","contents":[{"key":"quiet","value":null,"operation":null}]}]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version, "v1");
  ASSERT_EQ(r->configs.size(), 2u);
  const auto& c = r->configs[0].contents;
  EXPECT_EQ(r->configs[0].model, Model::kKubelet);
  EXPECT_EQ(r->configs[0].config_path, "/var/lib/kubelet/config.yaml");
  EXPECT_TRUE(c[0].value.is_number_integer());
  EXPECT_TRUE(c[1].value.is_boolean());
  EXPECT_TRUE(c[2].value.is_string());
  EXPECT_TRUE(c[3].value.is_array());
  EXPECT_EQ(c[4].operation, Operation::kDelete);
  EXPECT_TRUE(c[4].value.is_null());
  EXPECT_EQ(c[5].operation, Operation::kUpdate);
  EXPECT_EQ(r->configs[1].model, Model::kGrubNext);
  EXPECT_EQ(r->configs[1].config_path, "");
}

TEST(ParseRequest, AcceptsAnEmptyOrMissingVersionAndConfigs) {
  auto r = ParseRequest(R"({})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->version, "");
  EXPECT_TRUE(r->configs.empty());
  EXPECT_TRUE(ParseRequest(R"({"version":null,"configs":null})"));
}

TEST(ParseRequest, NamesEveryModel) {
  for (Model m : {Model::kSysctl, Model::kSysctlPersist, Model::kGrubCurrent, Model::kGrubNext,
                  Model::kKubelet, Model::kContainerd, Model::kPamLimits}) {
    auto r = ParseRequest(R"({"configs":[{"model":")" + std::string(ModelName(m)) +
                          R"(","contents":[]}]})");
    ASSERT_TRUE(r) << ModelName(m);
    EXPECT_EQ(r->configs[0].model, m);
  }
}

TEST(ParseRequest, AllowsConfigPathsInsideEachModelsDirectory) {
  for (auto [model, path] : std::vector<std::pair<std::string, std::string>>{
           {"kernel.sysctl.persist", "/etc/sysctl.d/99-kubeos.conf"},
           {"kubernetes.kubelet", "/etc/kubernetes/kubelet.yml"},
           {"container.containerd", "/etc/containerd/config.toml"},
           {"pam.limits", "/etc/security/limits.d/90-nproc.conf"}}) {
    auto r = ParseRequest(R"({"configs":[{"model":")" + model + R"(","configpath":")" + path +
                          R"(","contents":[]}]})");
    EXPECT_TRUE(r) << model << " " << path << ": " << (r ? "" : r.error().message);
  }
}

TEST(ScalarText, SpellsNumbersAndBooleansAsJsonDoes) {
  EXPECT_EQ(ScalarText(json(10)), "10");
  EXPECT_EQ(ScalarText(json(1.5)), "1.5");
  EXPECT_EQ(ScalarText(json(true)), "true");
  EXPECT_EQ(ScalarText(json("x")), "x");
  EXPECT_EQ(ScalarText(json(nullptr)), "");
}

constexpr std::string_view kOs = R"(apiVersion: upgrade.openeuler.org/v1alpha1
kind: OS
metadata:
  name: os-sample
spec:
  opstype: config
  osversion: edit.os.version
  sysconfigs:
    version: 1.10
    configs:
      - model: kernel.sysctl
        contents:
          - key: vm.swappiness
            value: 10
          - key: kernel.msg
            value: "10"
          - key: a.b
            value: true
          - key: a.c
            value: yes
          - key: a.d
            value: 1.50
          - key: a.e
            value: ~
  upgradeconfigs:
    version: "2"
    configs: []
)";

TEST(ConfigJsonFromDocument, TakesSpecSysconfigsOrUpgradeconfigsOfAnOsResource) {
  auto sys = ConfigJsonFromDocument(kOs, "sysconfigs");
  ASSERT_TRUE(sys) << sys.error().message;
  json j = json::parse(*sys);
  EXPECT_EQ(j["version"], "1.10");  // versions are names
  const json& c = j["configs"][0]["contents"];
  EXPECT_EQ(c[0]["value"], 10);
  EXPECT_EQ(c[1]["value"], "10");  // quoted in YAML: stays a string
  EXPECT_EQ(c[2]["value"], true);
  EXPECT_EQ(c[3]["value"], "yes");  // YAML 1.2: not a boolean
  EXPECT_EQ(c[4]["value"], 1.5);
  EXPECT_TRUE(c[5]["value"].is_null());
  auto parsed = ParseRequest(*sys);
  ASSERT_FALSE(parsed);  // only the null value is a problem
  EXPECT_EQ(parsed.error().message, "configs[0].contents[5]: needs a value");

  auto up = ConfigJsonFromDocument(kOs, "upgradeconfigs");
  ASSERT_TRUE(up);
  EXPECT_EQ(json::parse(*up), json::parse(R"({"version":"2","configs":[]})"));
}

TEST(ConfigJsonFromDocument, AcceptsABareSysconfigsObjectInYamlOrJson) {
  auto yaml = ConfigJsonFromDocument("version: 3\nconfigs:\n- model: pam.limits\n  contents: []\n",
                                     "sysconfigs");
  ASSERT_TRUE(yaml);
  EXPECT_EQ(json::parse(*yaml)["version"], "3");
  auto js = ConfigJsonFromDocument(
      R"({"version":"a","configs":[{"model":"kernel.sysctl","contents":[{"key":"x.y","value":1}]}]})",
      "upgradeconfigs");
  ASSERT_TRUE(js);
  EXPECT_EQ(json::parse(*js)["configs"][0]["contents"][0]["value"], 1);
}

TEST(ConfigJsonFromDocument, RefusesBrokenDocumentsAndMissingParts) {
  EXPECT_FALSE(ConfigJsonFromDocument("a: [", "sysconfigs"));
  EXPECT_FALSE(ConfigJsonFromDocument("- 1\n- 2\n", "sysconfigs"));
  EXPECT_FALSE(ConfigJsonFromDocument("kind: OS\nspec:\n  opstype: config\n", "sysconfigs"));
  EXPECT_FALSE(ConfigJsonFromDocument("{}", "otherconfigs"));
  // Found by fuzz_request: a lone UTF-8 lead byte made the JSON writer throw.
  EXPECT_FALSE(ConfigJsonFromDocument("version: \"v\xee\"\nconfigs: []\n", "sysconfigs"));
  std::string deep(200, '[');
  EXPECT_FALSE(ConfigJsonFromDocument("a: " + deep, "sysconfigs"));
}

}  // namespace
}  // namespace kubeos::core::config
