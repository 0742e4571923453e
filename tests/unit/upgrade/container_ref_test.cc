// SPDX-License-Identifier: MulanPSL-2.0
// R-4.5: only the seed reference forms reach a container runtime; everything else is refused with
// InvalidArgs before any command runs.
#include "core/upgrade/container_ref.h"

#include <gtest/gtest.h>

#include <string>

namespace kubeos::core::upgrade {
namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Accepted {
  std::string text;
  std::string registry, repository, tag, digest;
  std::string fully_qualified;
};

TEST(ContainerRefTest, R4_5_AcceptsTheSeedForms) {
  const Accepted cases[] = {
      {"kubeos/os", "", "kubeos/os", "", "", "docker.io/kubeos/os:latest"},
      {"kubeos/os:v1.0.2", "", "kubeos/os", "v1.0.2", "", "docker.io/kubeos/os:v1.0.2"},
      {"kubeos/os@sha256:" + kHex, "", "kubeos/os", "", kHex, "docker.io/kubeos/os@sha256:" + kHex},
      {"registry.example.com/kubeos/os:v2", "registry.example.com", "kubeos/os", "v2", "",
       "registry.example.com/kubeos/os:v2"},
      {"127.0.0.1:5000/kubeos/os:v1", "127.0.0.1:5000", "kubeos/os", "v1", "",
       "127.0.0.1:5000/kubeos/os:v1"},
      {"localhost:443/a/b/c@sha256:" + kHex, "localhost:443", "a/b/c", "", kHex,
       "localhost:443/a/b/c@sha256:" + kHex},
      {"localhost/kubeos/os", "localhost", "kubeos/os", "", "", "localhost/kubeos/os:latest"},
      {"my-org/os_image.v2__x:TAG_1-rc.2", "", "my-org/os_image.v2__x", "TAG_1-rc.2", "",
       "docker.io/my-org/os_image.v2__x:TAG_1-rc.2"},
      {"a/b:_x", "", "a/b", "_x", "", "docker.io/a/b:_x"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto r = ParseContainerRef(c.text);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->registry, c.registry);
    EXPECT_EQ(r->repository, c.repository);
    EXPECT_EQ(r->tag, c.tag);
    EXPECT_EQ(r->digest, c.digest);
    EXPECT_EQ(r->Text(), c.text);
    EXPECT_EQ(r->FullyQualified(), c.fully_qualified);
  }
}

TEST(ContainerRefTest, R4_5_RefusesEverythingElseWithInvalidArgs) {
  const std::string refused[] = {
      "",
      "os",                                        // no repository/name
      "os:v1",                                     // no repository/name
      "kubeos/os;reboot",                          // shell metacharacters
      "kubeos/os:v1;rm -rf /",                     //
      "kubeos/os$(id)",                            //
      "kubeos/`id`",                               //
      "kubeos/os|cat",                             //
      "kubeos/os&",                                //
      "kubeos/os>x",                               //
      "kubeos/os v1",                              // space
      " kubeos/os",                                //
      "kubeos/os\n",                               // control character
      "kubeos/os\t",                               //
      "Kubeos/OS",                                 // upper case in the repository path
      "kubeos/../os",                              // ".." and empty parts
      "kubeos/a..b",                               //
      "kubeos//os",                                //
      "/kubeos/os",                                //
      "kubeos/os/",                                //
      "-kubeos/os",                                // leading '-' (would read as an option)
      "kubeos/-os",                                //
      "kubeos/os:-v1",                             //
      "kubeos/os:.v1",                             //
      "-host:5000/kubeos/os",                      //
      "kubeos/os:",                                // empty tag
      "kubeos/os@",                                // empty digest
      "kubeos/os:v1@sha256:" + kHex,               // tag and digest together (upstream defect)
      "kubeos/os@sha256:" + kHex.substr(1),        // 63 digits
      "kubeos/os@sha256:" + kHex + "0",            // 65 digits
      "kubeos/os@md5:0123456789abcdef",            // other algorithm
      "kubeos/os@sha256:" + std::string(64, 'A'),  // upper-case digest
      "kubeos/os@sha256:" + std::string(64, 'g'),  //
      "host:0/kubeos/os",                          // bad ports
      "host:65536/kubeos/os",                      //
      "host:/kubeos/os",                           //
      "host:50x/kubeos/os",                        //
      "ho_st.example/kubeos/os",                   // '_' in a host name
      "host.example:5000/os",                      // registry without repository/name
      "kubeos/os:" + std::string(129, 'v'),        // tag over 128
      "kubeos/" + std::string(260, 'a'),           // over 255
      "kubeos/os\xc3\xa9",                         // non-ASCII
      "kubeos/os:v1:v2",                           //
      "kubeos/o*s",                                // glob
      "kubeos/os#x",                               //
  };
  for (const auto& text : refused) {
    SCOPED_TRACE(text);
    const auto r = ParseContainerRef(text);
    ASSERT_FALSE(r.has_value()) << r->Text();
    EXPECT_EQ(r.error().code, Errc::kInvalidArgs);
    EXPECT_NE(r.error().message.find("container-image"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace kubeos::core::upgrade
