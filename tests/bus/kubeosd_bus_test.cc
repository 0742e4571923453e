// SPDX-License-Identifier: MulanPSL-2.0
// kubeosd on a private system bus with the real polkitd, inside scripts/sandbox (which provides
// the bus, polkit with the shipped action file and example rule, the A/B loop disk and the
// daemon). Callers of other identities run as real processes (setpriv + gdbus), so polkit sees
// real subjects. R-7.1, R-7.3, R-4.8 and the calling conventions of interfaces.md.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sdbus-c++/sdbus-c++.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace {

using VariantMap = std::map<std::string, sdbus::Variant>;

const char* kBus = "org.openeuler.KubeOS1";
const char* kPath = "/org/openeuler/KubeOS1";
const char* kIface = "org.openeuler.KubeOS1";
const std::string kChecksum(64, '0');

constexpr uid_t kProxyUid = 4141;      // granted by polkit/50-kubeos-proxy.rules (shipped)
constexpr uid_t kUnprivileged = 4343;  // no rule
constexpr uid_t kChallenge = 4545;     // the test rule answers AUTH_ADMIN

struct ShellResult {
  int status = 0;
  std::string out;
};

ShellResult Shell(const std::string& cmd) {
  ShellResult r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  while (p != nullptr && std::fgets(buf, sizeof(buf), p) != nullptr) r.out += buf;
  r.status = p != nullptr ? ::pclose(p) : -1;
  return r;
}

// Calls a method of kubeosd as |uid| with gdbus; returns the D-Bus error name or "OK: <reply>".
std::string CallAs(uid_t uid,
                   const std::string& object,
                   const std::string& method,
                   const std::string& args = "") {
  const std::string cmd = "setpriv --reuid=" + std::to_string(uid) +
                          " --regid=" + std::to_string(uid) +
                          " --clear-groups gdbus call --system --dest " + kBus + " --object-path " +
                          object + " --method " + method + " " + args;
  const ShellResult r = Shell(cmd);
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("GDBus\\.Error:([A-Za-z0-9_.]+)"))) return m[1];
  return r.status == 0 ? "OK: " + r.out : "FAILED: " + r.out;
}

std::string Upgrade(const std::string& url) {
  return "\"{'version': <'KubeOS 2.0.0'>, 'image-type': <'disk'>, 'image-url': <'" + url +
         "'>, 'checksum': <'" + kChecksum + "'>, 'flag-safe': <true>}\"";
}

// A TCP server that accepts connections and never answers: a download that hangs, so a job
// stays running for as long as the test needs.
class StalledServer {
 public:
  StalledServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~StalledServer() { ::close(fd_); }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/update.img"; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A root client with the JobRemoved signal subscribed before anything starts.
class Client {
 public:
  Client() : connection_(sdbus::createSystemBusConnection()) {
    proxy_ = sdbus::createProxy(*connection_, kBus, kPath);
    proxy_->uponSignal("JobRemoved")
        .onInterface(kIface)
        .call([this](uint32_t, const sdbus::ObjectPath& job, const std::string& result,
                     const std::string& error, const std::string& message) {
          std::lock_guard lock(mu_);
          removed_[job] = {result, error, message};
          cv_.notify_all();
        });
    proxy_->finishRegistration();
    connection_->enterEventLoopAsync();
  }
  ~Client() { connection_->leaveEventLoop(); }

  VariantMap Status() {
    VariantMap s;
    proxy_->callMethod("Status").onInterface(kIface).storeResultsTo(s);
    return s;
  }
  std::string State() { return Status().at("state").get<std::string>(); }

  sdbus::ObjectPath StartUpgrade(const std::string& url) {
    sdbus::ObjectPath job;
    proxy_->callMethod("Upgrade")
        .onInterface(kIface)
        .withArguments(VariantMap{{"version", sdbus::Variant(std::string("KubeOS 2.0.0"))},
                                  {"image-type", sdbus::Variant(std::string("disk"))},
                                  {"image-url", sdbus::Variant(url)},
                                  {"checksum", sdbus::Variant(kChecksum)},
                                  {"flag-safe", sdbus::Variant(true)}})
        .storeResultsTo(job);
    return job;
  }

  sdbus::ObjectPath StartConfig(const std::string& config_json) {
    sdbus::ObjectPath job;
    proxy_->callMethod("ApplyConfig")
        .onInterface(kIface)
        .withArguments(config_json, VariantMap{})
        .storeResultsTo(job);
    return job;
  }

  // Waits until the job's Stage is |stage|.
  bool WaitStage(const std::string& job, const std::string& stage) {
    auto p = sdbus::createProxy(*connection_, kBus, job);
    p->finishRegistration();
    for (int i = 0; i < 200; ++i) {
      sdbus::Variant v;
      p->callMethod("Get")
          .onInterface("org.freedesktop.DBus.Properties")
          .withArguments(std::string("org.openeuler.KubeOS1.Job"), std::string("Stage"))
          .storeResultsTo(v);
      if (v.get<std::string>() == stage) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::tuple<std::string, std::string, std::string> WaitRemoved(const std::string& job) {
    std::unique_lock lock(mu_);
    const bool ended =
        cv_.wait_for(lock, std::chrono::seconds(90), [&] { return removed_.count(job) > 0; });
    EXPECT_TRUE(ended) << "no JobRemoved for " << job;
    return ended ? removed_.at(job) : std::tuple<std::string, std::string, std::string>{};
  }

  bool Removed(const std::string& job) {
    std::lock_guard lock(mu_);
    return removed_.count(job) > 0;
  }

 private:
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IProxy> proxy_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::tuple<std::string, std::string, std::string>> removed_;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// The member names declared in the contract file.
std::set<std::string> ContractMembers() {
  std::ifstream in(std::string(KUBEOS_SOURCE_DIR) + "/dbus/org.openeuler.KubeOS1.xml");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string xml = std::regex_replace(ss.str(), std::regex("<!--[\\s\\S]*?-->"), "");
  std::set<std::string> names;
  const std::regex member("<(method|signal|property) name=\"([A-Za-z]+)\"");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), member); it != std::sregex_iterator();
       ++it) {
    names.insert((*it)[2]);
  }
  return names;
}

class KubeosdBusTest : public ::testing::Test {
 protected:
  Client client_;
};

TEST_F(KubeosdBusTest, IntrospectionListsEveryMemberOfTheContract) {
  const ShellResult manager = Shell(std::string("busctl introspect ") + kBus + " " + kPath);
  ASSERT_EQ(manager.status, 0) << manager.out;
  StalledServer server;
  const std::string job = client_.StartUpgrade(server.Url());
  const ShellResult job_object = Shell(std::string("busctl introspect ") + kBus + " " + job);
  ASSERT_EQ(job_object.status, 0) << job_object.out;
  const std::set<std::string> members = ContractMembers();
  ASSERT_GE(members.size(), 18u);
  for (const std::string& name : members) {
    EXPECT_TRUE(manager.out.find("." + name + " ") != std::string::npos ||
                job_object.out.find("." + name + " ") != std::string::npos)
        << name << " is in the XML but not on the bus";
  }
  ASSERT_EQ(CallAs(0, job, "org.openeuler.KubeOS1.Job.Cancel").rfind("OK", 0), 0u);
  client_.WaitRemoved(job);
}

TEST_F(KubeosdBusTest, StatusWorksForEveryoneAndReadsTheSandboxDisk) {
  for (uid_t uid : {kUnprivileged, uid_t{65534}}) {
    EXPECT_EQ(CallAs(uid, kPath, "org.openeuler.KubeOS1.Status").rfind("OK", 0), 0u);
  }
  const VariantMap s = client_.Status();
  EXPECT_EQ(s.at("booted-slot").get<std::string>(), "A");
  EXPECT_EQ(s.at("booted-version").get<std::string>(), "KubeOS 1.0.0");
  EXPECT_EQ(s.at("other-version").get<std::string>(), "KubeOS 0.9.0");
  EXPECT_TRUE(s.at("other-valid").get<bool>());
  EXPECT_EQ(s.at("default-slot").get<std::string>(), "A");
  EXPECT_EQ(s.at("disk").get<std::string>(), Env("KUBEOS_SANDBOX_DISK"));
}

TEST_F(KubeosdBusTest, KubeosctlStatusJsonReportsTheSandboxDisk) {
  const ShellResult r = Shell("kubeosctl status --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("booted-slot"), "A");
  EXPECT_EQ(j.at("booted-version"), "KubeOS 1.0.0");
  EXPECT_EQ(j.at("other-slot"), "B");
  EXPECT_EQ(j.at("other-version"), "KubeOS 0.9.0");
  EXPECT_EQ(j.at("default-slot"), "A");
  EXPECT_EQ(j.at("booted-device"), Env("KUBEOS_SANDBOX_DISK") + "p2");
}

TEST_F(KubeosdBusTest, UnprivilegedCallersAreDeniedAndNothingStarts) {
  const std::map<std::string, std::string> calls{
      {"Upgrade", Upgrade("http://127.0.0.1:9/x")},
      {"Rollback", "\"{}\""},
      {"ApplyConfig", "'{\"version\":\"v9\",\"configs\":[]}' \"{}\""}};
  for (const auto& [method, args] : calls) {
    EXPECT_EQ(CallAs(kUnprivileged, kPath, std::string(kIface) + "." + method, args),
              "org.freedesktop.DBus.Error.AccessDenied")
        << method;
  }
  const VariantMap s = client_.Status();
  EXPECT_EQ(s.at("state").get<std::string>(), "idle");
  EXPECT_EQ(s.at("active-job").get<sdbus::ObjectPath>(), "/");
  EXPECT_EQ(s.at("sysconfigs-version").get<std::string>(), "");
}

TEST_F(KubeosdBusTest, PolkitChallengeWithoutInteractionIsInteractiveAuthorizationRequired) {
  EXPECT_EQ(CallAs(kChallenge, kPath, std::string(kIface) + ".Rollback", "\"{}\""),
            "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
}

TEST_F(KubeosdBusTest, MalformedOptionsAreInvalidArgsBeforePolkitIsAsked) {
  // An unprivileged caller would be denied by polkit: InvalidArgs proves polkit was not asked.
  const std::vector<std::pair<std::string, std::string>> calls{
      {"Upgrade", "\"{'bogus': <'x'>}\""},
      {"Upgrade", "\"{'version': <1>, 'image-type': <'disk'>}\""},
      {"Upgrade",
       "\"{'version': <'v'>, 'image-type': <'disk'>, 'image-url': <'https://x'>, "
       "'checksum': <'" +
           kChecksum + "'>, 'ca-cert': <'../../etc/shadow'>}\""},
      {"Rollback", "\"{'reboot': <'no'>}\""},
      {"ApplyConfig", "'{}' \"{'kind': <'other'>}\""}};
  for (const auto& [method, args] : calls) {
    EXPECT_EQ(CallAs(kUnprivileged, kPath, std::string(kIface) + "." + method, args),
              "org.freedesktop.DBus.Error.InvalidArgs")
        << method << " " << args;
  }
}

TEST_F(KubeosdBusTest, ProxyUserOfTheExampleRuleGetsPastAuthorizationAndMayCancel) {
  StalledServer server;
  const std::string reply =
      CallAs(kProxyUid, kPath, std::string(kIface) + ".Upgrade", Upgrade(server.Url()));
  ASSERT_EQ(reply.rfind("OK", 0), 0u) << reply;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(reply, m, std::regex("/org/openeuler/KubeOS1/job/[0-9]+")));
  const std::string job = m[0];
  EXPECT_EQ(CallAs(kUnprivileged, job, "org.openeuler.KubeOS1.Job.Cancel"),
            "org.freedesktop.DBus.Error.AccessDenied");
  EXPECT_FALSE(client_.Removed(job));
  EXPECT_EQ(CallAs(kProxyUid, job, "org.openeuler.KubeOS1.Job.Cancel").rfind("OK", 0), 0u);
  const auto [result, error, message] = client_.WaitRemoved(job);
  EXPECT_EQ(result, "cancelled");
  EXPECT_EQ(error, "org.openeuler.KubeOS1.Error.Cancelled");
}

TEST_F(KubeosdBusTest, SecondRequestWhileAJobRunsIsBusyNamingTheJob) {
  StalledServer server;
  const std::string job = client_.StartUpgrade(server.Url());
  ASSERT_TRUE(client_.WaitStage(job, "downloading"));
  EXPECT_EQ(client_.State(), "upgrading");
  const std::string id = job.substr(job.rfind('/') + 1);
  const ShellResult busy =
      Shell(std::string("gdbus call --system --dest ") + kBus + " --object-path " + kPath +
            " --method " + kIface + ".Rollback \"{}\"");
  EXPECT_NE(busy.out.find("org.openeuler.KubeOS1.Error.Busy"), std::string::npos) << busy.out;
  EXPECT_NE(busy.out.find("job " + id + " (upgrade)"), std::string::npos) << busy.out;

  // kubeosctl maps it to exit status 4.
  EXPECT_EQ(WEXITSTATUS(Shell("kubeosctl rollback --no-reboot").status), 4);

  ASSERT_EQ(Shell("kubeosctl cancel " + id).status, 0);
  EXPECT_EQ(std::get<0>(client_.WaitRemoved(job)), "cancelled");
  EXPECT_EQ(client_.State(), "idle");
  // The job object is gone after JobRemoved.
  EXPECT_NE(Shell(std::string("busctl introspect ") + kBus + " " + job).status, 0);
}

TEST_F(KubeosdBusTest, ApplyConfigRecordsTheVersionAndReportsWhatIsNeeded) {
  const std::string config =
      R"({"version":"v1","configs":[{"model":"kernel.sysctl.persist","contents":[{"key":"vm.swappiness","value":"10"}]}]})";
  const std::string job = client_.StartConfig(config);
  const auto [result, error, message] = client_.WaitRemoved(job);
  ASSERT_EQ(result, "done") << error << ": " << message;
  EXPECT_NE(message.find("reboot"), std::string::npos) << message;
  const VariantMap s = client_.Status();
  EXPECT_EQ(s.at("sysconfigs-version").get<std::string>(), "v1");
  const auto needs = s.at("needs").get<std::vector<std::string>>();
  EXPECT_NE(std::find(needs.begin(), needs.end(), "reboot"), needs.end());
  std::ifstream conf(Env("KUBEOS_SANDBOX_ROOT") + "/etc/sysctl.conf");
  std::stringstream ss;
  ss << conf.rdbuf();
  EXPECT_NE(ss.str().find("vm.swappiness"), std::string::npos);
}

TEST_F(KubeosdBusTest, InvalidConfigIsRejectedListingEveryProblem) {
  const std::string config =
      R"({"version":"v2","configs":[{"model":"kernel.sysctl","contents":[{"key":"a/../b","value":"1"}]},{"model":"nope","contents":[]}]})";
  const std::string job = client_.StartConfig(config);
  const auto [result, error, message] = client_.WaitRemoved(job);
  EXPECT_EQ(result, "failed");
  EXPECT_EQ(error, "org.openeuler.KubeOS1.Error.ConfigRejected");
  EXPECT_NE(message.find("configs[0]"), std::string::npos) << message;
  EXPECT_NE(message.find("configs[1]"), std::string::npos) << message;
  EXPECT_NE(client_.Status().at("sysconfigs-version").get<std::string>(), "v2");
}

}  // namespace
