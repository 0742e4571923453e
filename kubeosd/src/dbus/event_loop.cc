// SPDX-License-Identifier: MulanPSL-2.0
#include "dbus/event_loop.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "base/log.h"

namespace kubeos::dbus {

EventLoop::EventLoop(sdbus::IConnection& connection)
    : connection_(connection), loop_thread_(std::this_thread::get_id()) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

EventLoop::~EventLoop() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void EventLoop::RunOrPost(std::function<void()> fn) {
  if (std::this_thread::get_id() == loop_thread_) {
    fn();
    return;
  }
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(fn));
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Drain() {
  uint64_t counter = 0;
  (void)!::read(wake_fd_, &counter, sizeof(counter));
  for (;;) {
    std::function<void()> fn;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    fn();
  }
}

Status EventLoop::Run() {
  if (signal_fd_ < 0 || wake_fd_ < 0) return FailErrno(Errc::kFailed, errno, "event loop setup");
  try {
    for (;;) {
      while (connection_.processPendingRequest()) {
      }
      Drain();
      {
        std::lock_guard lock(mu_);
        if (stop_) return {};
      }
      const auto poll_data = connection_.getEventLoopPollData();
      pollfd fds[3] = {
          {poll_data.fd, poll_data.events, 0}, {wake_fd_, POLLIN, 0}, {signal_fd_, POLLIN, 0}};
      if (::poll(fds, 3, poll_data.getPollTimeout()) < 0 && errno != EINTR) {
        return FailErrno(Errc::kFailed, errno, "poll");
      }
      if ((fds[2].revents & POLLIN) != 0) {
        signalfd_siginfo info{};
        (void)!::read(signal_fd_, &info, sizeof(info));
        log::Info("Received signal " + std::to_string(info.ssi_signo) + ", shutting down");
        return {};
      }
    }
  } catch (const sdbus::Error& e) {
    // sdbus-c++ throws when the bus goes away.
    return Fail(Errc::kFailed, "bus connection lost: " + e.getName() + ": " + e.getMessage());
  }
}

}  // namespace kubeos::dbus
