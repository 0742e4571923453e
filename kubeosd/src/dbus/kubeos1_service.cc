// SPDX-License-Identifier: MulanPSL-2.0
// Every mutating method follows the same order (as systemd's hostnamed does):
//   1. decode and validate the arguments (InvalidArgs) — nothing is asked or changed yet;
//   2. ask polkit for exactly one action, asynchronously (AccessDenied, …);
//   3. start the job in the engine (Busy, …) and reply with its object path at once.
#include "dbus/kubeos1_service.h"

#include "base/log.h"
#include "dbus/codec.h"
#include "kubeos/dbus/kubeos1_adaptor.h"
#include "kubeos/dbus/names.h"

namespace kubeos::dbus {
namespace {

std::string_view ActionFor(core::JobType type) {
  switch (type) {
    case core::JobType::kUpgrade:
      return kActionUpgrade;
    case core::JobType::kRollback:
      return kActionRollback;
    case core::JobType::kConfig:
      return kActionApplyConfig;
  }
  return kActionUpgrade;
}

}  // namespace

// /org/openeuler/KubeOS1/job/<id>: mirrors one running job; lives until JobRemoved.
class JobObject final : public sdbus::AdaptorInterfaces<org::openeuler::KubeOS1::Job_adaptor> {
 public:
  JobObject(sdbus::IConnection& connection,
            core::Engine& engine,
            PolkitAuthorizer& authorizer,
            const core::JobSnapshot& snapshot)
      : AdaptorInterfaces(connection, JobPath(snapshot.id)),
        engine_(engine),
        authorizer_(authorizer),
        snapshot_(snapshot) {
    registerAdaptor();
  }
  ~JobObject() { unregisterAdaptor(); }

  void Update(const core::JobSnapshot& snapshot) {
    std::vector<std::string> changed;
    if (snapshot.stage != snapshot_.stage) changed.emplace_back("Stage");
    if (snapshot.progress != snapshot_.progress) changed.emplace_back("Progress");
    if (snapshot.bytes_done != snapshot_.bytes_done) changed.emplace_back("BytesDone");
    if (snapshot.bytes_total != snapshot_.bytes_total) changed.emplace_back("BytesTotal");
    snapshot_ = snapshot;
    if (!changed.empty()) getObject().emitPropertiesChangedSignal(INTERFACE_NAME, changed);
  }

 private:
  void Cancel(sdbus::Result<>&& result) override {
    const Caller caller = CurrentCaller(*getObject().getCurrentlyProcessedMessage());
    auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
    const uint32_t id = snapshot_.id;
    core::Engine& engine = engine_;
    authorizer_.Check(caller, ActionFor(snapshot_.type), [reply, id, &engine](kubeos::Status st) {
      if (st) st = engine.Cancel(id);
      if (!st) {
        reply->returnError(ToDbusError(st.error()));
      } else {
        reply->returnResults();
      }
    });
  }
  uint32_t Id() override { return snapshot_.id; }
  std::string Type() override { return std::string(core::JobTypeName(snapshot_.type)); }
  std::string Stage() override { return snapshot_.stage; }
  uint32_t Progress() override { return snapshot_.progress; }
  uint64_t BytesDone() override { return snapshot_.bytes_done; }
  uint64_t BytesTotal() override { return snapshot_.bytes_total; }

  core::Engine& engine_;
  PolkitAuthorizer& authorizer_;
  core::JobSnapshot snapshot_;
};

Kubeos1Service::Kubeos1Service(sdbus::IConnection& connection,
                               core::Engine& engine,
                               PolkitAuthorizer& authorizer,
                               EventLoop& loop)
    : AdaptorInterfaces(connection, std::string(kObjectPath)),
      engine_(engine),
      authorizer_(authorizer),
      loop_(loop),
      connection_(connection) {
  registerAdaptor();
}

Kubeos1Service::~Kubeos1Service() {
  jobs_.clear();
  unregisterAdaptor();
}

void Kubeos1Service::AuthorizeAndStart(sdbus::Result<sdbus::ObjectPath>&& result,
                                       std::string_view action,
                                       StartFn start) {
  const Caller caller = CurrentCaller(*getObject().getCurrentlyProcessedMessage());
  // sdbus::Result is move-only while reply callbacks must be copyable.
  auto reply = std::make_shared<sdbus::Result<sdbus::ObjectPath>>(std::move(result));
  authorizer_.Check(caller, action, [reply, start = std::move(start)](kubeos::Status st) {
    if (!st) {
      reply->returnError(ToDbusError(st.error()));
      return;
    }
    auto job = start();
    if (!job) {
      reply->returnError(ToDbusError(job.error()));
      return;
    }
    reply->returnResults(JobPath(job->id));
  });
}

void Kubeos1Service::Upgrade(sdbus::Result<sdbus::ObjectPath>&& result,
                             std::map<std::string, sdbus::Variant> options) {
  auto request = core::DecodeUpgrade(ToOptions(options));
  if (!request) return result.returnError(ToDbusError(request.error()));
  AuthorizeAndStart(std::move(result), kActionUpgrade,
                    [this, r = std::move(*request)] { return engine_.StartUpgrade(r); });
}

void Kubeos1Service::Rollback(sdbus::Result<sdbus::ObjectPath>&& result,
                              std::map<std::string, sdbus::Variant> options) {
  auto request = core::DecodeRollback(ToOptions(options));
  if (!request) return result.returnError(ToDbusError(request.error()));
  AuthorizeAndStart(std::move(result), kActionRollback,
                    [this, r = std::move(*request)] { return engine_.StartRollback(r); });
}

void Kubeos1Service::ApplyConfig(sdbus::Result<sdbus::ObjectPath>&& result,
                                 std::string config_json,
                                 std::map<std::string, sdbus::Variant> options) {
  auto request = core::DecodeConfig(std::move(config_json), ToOptions(options));
  if (!request) return result.returnError(ToDbusError(request.error()));
  AuthorizeAndStart(std::move(result), kActionApplyConfig,
                    [this, r = std::move(*request)] { return engine_.StartConfig(r); });
}

std::map<std::string, sdbus::Variant> Kubeos1Service::Status() {
  return EncodeStatus(engine_.GetStatus());
}

std::string Kubeos1Service::State() { return engine_.GetStatus().state; }
std::string Kubeos1Service::BootedSlot() { return engine_.GetStatus().booted_slot; }
std::string Kubeos1Service::BootedVersion() { return engine_.GetStatus().booted_version; }
std::string Kubeos1Service::DefaultSlot() { return engine_.GetStatus().default_slot; }
std::string Kubeos1Service::LastError() { return engine_.GetStatus().last_error; }
sdbus::ObjectPath Kubeos1Service::ActiveJob() {
  const auto job = engine_.GetStatus().active_job;
  return job ? JobPath(job->id) : sdbus::ObjectPath("/");
}

void Kubeos1Service::OnJobStarted(const core::JobSnapshot& job) {
  loop_.RunOrPost([this, job] {
    jobs_[job.id] = std::make_unique<JobObject>(connection_, engine_, authorizer_, job);
  });
}

void Kubeos1Service::OnJobChanged(const core::JobSnapshot& job) {
  loop_.RunOrPost([this, job] {
    if (auto it = jobs_.find(job.id); it != jobs_.end()) it->second->Update(job);
  });
}

void Kubeos1Service::OnJobRemoved(const core::JobSnapshot& job,
                                  core::JobResult result,
                                  const Error* error,
                                  const std::string& message) {
  const std::string error_name = error != nullptr ? std::string(ErrorName(error->code)) : "";
  loop_.RunOrPost([this, job, result, error_name, message] {
    if (auto it = jobs_.find(job.id); it != jobs_.end()) it->second->Update(job);
    emitJobRemoved(job.id, JobPath(job.id), std::string(core::JobResultName(result)), error_name,
                   message);
    jobs_.erase(job.id);
  });
}

void Kubeos1Service::OnStateChanged() {
  loop_.RunOrPost([this] {
    const core::StatusReport s = engine_.GetStatus();
    Announced now{s.state,
                  s.booted_slot,
                  s.booted_version,
                  s.default_slot,
                  s.active_job ? std::string(JobPath(s.active_job->id)) : "/",
                  s.last_error};
    std::vector<std::string> changed;
    if (now.state != announced_.state) changed.emplace_back("State");
    if (now.booted_slot != announced_.booted_slot) changed.emplace_back("BootedSlot");
    if (now.booted_version != announced_.booted_version) changed.emplace_back("BootedVersion");
    if (now.default_slot != announced_.default_slot) changed.emplace_back("DefaultSlot");
    if (now.active_job != announced_.active_job) changed.emplace_back("ActiveJob");
    if (now.last_error != announced_.last_error) changed.emplace_back("LastError");
    announced_ = std::move(now);
    if (!changed.empty()) getObject().emitPropertiesChangedSignal(INTERFACE_NAME, changed);
  });
}

}  // namespace kubeos::dbus
