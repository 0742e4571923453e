// SPDX-License-Identifier: MulanPSL-2.0
#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <thread>

#include "kube/informer.h"
#include "kube/kubeconfig.h"
#include "support/temp_dir.h"

namespace kubeos::kube {
namespace {

void Write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(KubeConfigTest, LoadsTokenServerAndCaRelativeToTheFile) {
  kubeos::testing::TempDir dir;
  Write(dir.path() / "kc", R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443/", certificate-authority: pki/ca.crt}
users:
- name: u
  user: {token: secret}
contexts:
- name: ctx
  context: {cluster: c, user: u, namespace: ops}
current-context: ctx
)");
  auto c = LoadKubeConfig(dir.path() / "kc");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "https://127.0.0.1:6443");
  EXPECT_EQ(c->ca_file, (dir.path() / "pki/ca.crt").string());
  EXPECT_EQ(c->token.Token(), "secret");
  EXPECT_EQ(c->namespace_, "ops");
}

TEST(KubeConfigTest, DecodesCertificateData) {
  kubeos::testing::TempDir dir;
  Write(dir.path() / "kc", R"(clusters:
- name: c
  cluster: {server: "https://h:1", certificate-authority-data: aGVsbG8=}
users:
- name: u
  user: {client-certificate-data: Y2VydA==, client-key-data: a2V5}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
)");
  auto c = LoadKubeConfig(dir.path() / "kc");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->ca_data, "hello");
  EXPECT_EQ(c->client_cert_data, "cert");
  EXPECT_EQ(c->client_key_data, "key");
}

TEST(KubeConfigTest, InClusterTokenIsReadAgainWhenTheFileChanges) {
  kubeos::testing::TempDir dir;
  Write(dir.path() / "token", "one\n");
  Write(dir.path() / "namespace", "kube-system");
  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto c = LoadInClusterConfig(dir.path());
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server, "https://[fd00::1]:443");
  EXPECT_EQ(c->namespace_, "kube-system");
  EXPECT_EQ(c->token.Token(), "one");
  Write(dir.path() / "token",
        "second\n");  // a different size, so a change even within one mtime tick
  EXPECT_EQ(c->token.Token(), "second");
}

TEST(KubeErrorTest, ErrorEventInsideA200StreamCarriesTheStatusCode) {
  Json status = {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}, {"message", "too old"}};
  auto e = ErrorFromStatus(200, status);
  EXPECT_TRUE(e.Gone());
  EXPECT_EQ(e.reason, "Expired");
}

// Scripted lists and watch streams.
class FakeKubeApi : public KubeApi {
 public:
  std::deque<Json> lists;
  std::deque<std::vector<WatchEvent>> streams;
  std::vector<std::string> watched_from;
  int list_calls = 0;

  KubeResult<Json> Get(const Resource&, const std::string&, const std::string&) override {
    return std::unexpected(KubeError{404, "NotFound", ""});
  }
  KubeResult<Json> List(const Resource&, const std::string&, const ListOptions&) override {
    ++list_calls;
    Json l = lists.front();
    if (lists.size() > 1) lists.pop_front();
    return l;
  }
  KubeResult<Json> Create(const Resource&, const std::string&, const Json& o) override { return o; }
  KubeResult<Json> MergePatch(const Resource&,
                              const std::string&,
                              const std::string&,
                              const Json& p,
                              const std::string&) override {
    return p;
  }
  KubeResult<void> Delete(const Resource&, const std::string&, const std::string&) override {
    return {};
  }
  KubeResult<void> Watch(const Resource&,
                         const std::string&,
                         const WatchOptions& o,
                         const std::function<bool(const WatchEvent&)>& on_event,
                         const std::atomic<bool>& stop) override {
    watched_from.push_back(o.resource_version);
    if (streams.empty()) {
      while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return {};
    }
    auto events = streams.front();
    streams.pop_front();
    for (const auto& e : events) {
      if (!on_event(e)) break;
    }
    return {};
  }
};

Json Obj(const std::string& name, const std::string& rv) {
  return {{"metadata", {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv}}}};
}

TEST(InformerTest, ResumesFromBookmarksAndRelistsWhenTheStreamSaysExpired) {
  FakeKubeApi api;
  api.lists = {
      Json{{"metadata", {{"resourceVersion", "10"}}}, {"items", {Obj("a", "9"), Obj("b", "10")}}},
      Json{{"metadata", {{"resourceVersion", "50"}}}, {"items", {Obj("a", "45")}}}};
  api.streams = {
      {{"MODIFIED", Obj("a", "11")}, {"BOOKMARK", Obj("", "20")}},  // stream ends cleanly
      {{"ERROR", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}}}},
  };
  std::atomic<bool> stop{false};
  Informer informer(api, kOS, "", [] {});
  std::thread t([&] { informer.Run(stop); });
  for (int i = 0; i < 400 && api.watched_from.size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  t.join();
  ASSERT_GE(api.watched_from.size(), 3u);
  EXPECT_EQ(api.watched_from[0], "10");
  EXPECT_EQ(api.watched_from[1], "20");  // resumed from the bookmark, no relist
  EXPECT_EQ(api.watched_from[2], "50");  // after the relist
  EXPECT_EQ(api.list_calls, 2);
  EXPECT_EQ(informer.Relists(), 1u);
  auto snapshot = informer.Snapshot();
  ASSERT_EQ(snapshot.size(),
            1u);  // "b" vanished while we were away: the relist dropped it
  EXPECT_EQ(snapshot[0]["metadata"]["resourceVersion"], "45");
}

// The operator re-parses only objects whose cached pointer changed (bench/operator-scale, R-2).
TEST(InformerTest, SharedSnapshotKeepsThePointerOfAnUnchangedObject) {
  FakeKubeApi api;
  api.lists = {
      Json{{"metadata", {{"resourceVersion", "10"}}}, {"items", {Obj("a", "9"), Obj("b", "10")}}}};
  std::atomic<bool> stop{false};
  Informer informer(api, kOS, "", [] {});
  std::thread t([&] { informer.Run(stop); });
  for (int i = 0; i < 400 && !informer.Synced(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  t.join();
  const auto before = informer.SharedSnapshot();
  ASSERT_EQ(before.size(), 2u);
  informer.Upsert(Obj("b", "11"));
  informer.Upsert(Obj("a", "8"));  // older than the cached one: ignored
  const auto after = informer.SharedSnapshot();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_NE(after[1], before[1]);
  EXPECT_EQ((*after[1])["metadata"]["resourceVersion"], "11");
  EXPECT_EQ(informer.Get("default", "b"), after[1]);
  EXPECT_EQ(informer.Get("default", "c"), nullptr);
}

}  // namespace
}  // namespace kubeos::kube

namespace kubeos::kube {
namespace {

// Every Get sees a newer resourceVersion; the first patch loses the race with 409.
class RacingApi : public FakeKubeApi {
 public:
  int gets = 0;
  std::vector<Json> patches;
  KubeResult<Json> Get(const Resource&, const std::string&, const std::string&) override {
    ++gets;
    return Obj("a", std::to_string(gets));
  }
  KubeResult<Json> MergePatch(const Resource&,
                              const std::string&,
                              const std::string&,
                              const Json& p,
                              const std::string&) override {
    patches.push_back(p);
    if (patches.size() == 1) return std::unexpected(KubeError{409, "Conflict", "stale"});
    return p;
  }
};

TEST(PatchWithRetryTest, ReadsAgainAndRetriesWithTheFreshVersionAfterAConflict) {
  RacingApi api;
  auto r = PatchWithRetry(api, kOS, "default", "a", [](const Json&) {
    return Json{{"spec", {{"maxunavailable", 2}}}};
  });
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(api.patches.size(), 2u);
  EXPECT_EQ(api.patches[0]["metadata"]["resourceVersion"], "1");
  EXPECT_EQ(api.patches[1]["metadata"]["resourceVersion"], "2");
}

TEST(PatchWithRetryTest, GivesUpAfterTheAttemptBudget) {
  class AlwaysConflict : public RacingApi {
    KubeResult<Json> MergePatch(const Resource&,
                                const std::string&,
                                const std::string&,
                                const Json&,
                                const std::string&) override {
      return std::unexpected(KubeError{409, "Conflict", "stale"});
    }
  } api;
  auto r = PatchWithRetry(
      api, kOS, "default", "a", [](const Json&) { return Json::object(); }, "", 3);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Conflict());
  EXPECT_EQ(api.gets, 3);
}

}  // namespace
}  // namespace kubeos::kube
