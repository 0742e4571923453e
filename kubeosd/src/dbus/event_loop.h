// SPDX-License-Identifier: MulanPSL-2.0
// kubeosd's one event loop: bus messages, work posted from the engine's worker thread, and
// SIGTERM/SIGINT, all handled on the thread that calls Run(), so sdbus objects are only ever
// touched from that thread.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/error.h"

namespace kubeos::dbus {

class EventLoop {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (do it before starting other threads, so
  // they inherit the mask) and takes that thread as the loop thread.
  explicit EventLoop(sdbus::IConnection& connection);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs |fn| on the loop thread: at once when called there, else soon. Thread-safe.
  void RunOrPost(std::function<void()> fn);
  // Serves until a termination signal or Stop(); fails when the bus connection is lost.
  [[nodiscard]] Status Run();
  void Stop();

 private:
  void Drain();

  sdbus::IConnection& connection_;
  std::thread::id loop_thread_;
  int wake_fd_ = -1;
  int signal_fd_ = -1;
  std::mutex mu_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
};

}  // namespace kubeos::dbus
