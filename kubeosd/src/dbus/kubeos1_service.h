// SPDX-License-Identifier: MulanPSL-2.0
// The org.openeuler.KubeOS1 object and its job objects: decode → validate → polkit → engine →
// encode, nothing else. Engine events arrive here and become signals and property changes.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <memory>
#include <string>

#include "core/engine.h"
#include "dbus/event_loop.h"
#include "dbus/polkit_authorizer.h"
#include "kubeos/dbus/kubeos1_adaptor.h"

namespace kubeos::dbus {

class JobObject;

class Kubeos1Service final : public sdbus::AdaptorInterfaces<org::openeuler::KubeOS1_adaptor>,
                             public core::EngineObserver {
 public:
  Kubeos1Service(sdbus::IConnection& connection,
                 core::Engine& engine,
                 PolkitAuthorizer& authorizer,
                 EventLoop& loop);
  ~Kubeos1Service() override;

  // core::EngineObserver: any thread; handed over to the loop thread.
  void OnJobStarted(const core::JobSnapshot& job) override;
  void OnJobChanged(const core::JobSnapshot& job) override;
  void OnJobRemoved(const core::JobSnapshot& job,
                    core::JobResult result,
                    const Error* error,
                    const std::string& message) override;
  void OnStateChanged() override;

 private:
  using JobResultReply = std::shared_ptr<sdbus::Result<sdbus::ObjectPath>>;
  using StartFn = std::function<Result<core::JobSnapshot>()>;

  void Upgrade(sdbus::Result<sdbus::ObjectPath>&& result,
               std::map<std::string, sdbus::Variant> options) override;
  void Rollback(sdbus::Result<sdbus::ObjectPath>&& result,
                std::map<std::string, sdbus::Variant> options) override;
  void ApplyConfig(sdbus::Result<sdbus::ObjectPath>&& result,
                   std::string config_json,
                   std::map<std::string, sdbus::Variant> options) override;
  std::map<std::string, sdbus::Variant> Status() override;
  std::string State() override;
  std::string BootedSlot() override;
  std::string BootedVersion() override;
  std::string DefaultSlot() override;
  sdbus::ObjectPath ActiveJob() override;
  std::string LastError() override;

  // Authorizes the caller of the message being handled for |action|, then starts the job.
  void AuthorizeAndStart(sdbus::Result<sdbus::ObjectPath>&& result,
                         std::string_view action,
                         StartFn start);

  // The properties last announced, to emit PropertiesChanged only for real changes.
  struct Announced {
    std::string state, booted_slot, booted_version, default_slot, active_job, last_error;
  };

  core::Engine& engine_;
  PolkitAuthorizer& authorizer_;
  EventLoop& loop_;
  sdbus::IConnection& connection_;
  std::map<uint32_t, std::unique_ptr<JobObject>> jobs_;  // loop thread only
  Announced announced_;                                  // loop thread only
};

}  // namespace kubeos::dbus
