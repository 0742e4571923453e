// SPDX-License-Identifier: MulanPSL-2.0
#define SD_JOURNAL_SUPPRESS_LOCATION
#include "base/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace kubeos::log {
namespace {

struct State {
  std::mutex mu;
  std::string identifier = "kubeos";
  bool journal = false;
  int max_priority = LOG_INFO;
  std::function<void(const Record&)> capture;
};

State& GetState() {
  static State state;
  return state;
}

bool JournalAvailable() {
  if (std::getenv("JOURNAL_STREAM") != nullptr) return true;
  struct stat st {};
  return ::stat("/run/systemd/journal/socket", &st) == 0;
}

std::string Upper(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : (c == '-' ? '_' : c));
  }
  return out;
}

void ToJournal(const State& state, const Record& r) {
  std::vector<std::string> lines;
  lines.reserve(r.fields.size() + 4);
  lines.push_back("MESSAGE=" + r.message);
  lines.push_back("PRIORITY=" + std::to_string(r.priority));
  lines.push_back("SYSLOG_IDENTIFIER=" + state.identifier);
  if (!r.message_id.empty()) lines.push_back("MESSAGE_ID=" + std::string(r.message_id));
  for (const auto& f : r.fields) lines.push_back("KUBEOS_" + Upper(f.key) + "=" + f.value);
  std::vector<iovec> iov(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    iov[i].iov_base = lines[i].data();
    iov[i].iov_len = lines[i].size();
  }
  sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

void ToStderr(const Record& r) {
  std::string line = "<" + std::to_string(r.priority) + ">" + r.message;
  for (const auto& f : r.fields) line += " " + Upper(f.key) + "=" + f.value;
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void Init(std::string_view identifier, Sink sink) {
  State& state = GetState();
  std::lock_guard lock(state.mu);
  state.identifier = std::string(identifier);
  state.journal = sink == Sink::kJournal || (sink == Sink::kAuto && JournalAvailable());
}

void SetMaxPriority(int max_priority) {
  State& state = GetState();
  std::lock_guard lock(state.mu);
  state.max_priority = max_priority;
}

void SetCaptureForTesting(std::function<void(const Record&)> capture) {
  State& state = GetState();
  std::lock_guard lock(state.mu);
  state.capture = std::move(capture);
}

void Write(Record record) {
  State& state = GetState();
  std::lock_guard lock(state.mu);
  if (state.capture) {
    state.capture(record);
    return;
  }
  if (record.priority > state.max_priority) return;
  if (state.journal) {
    ToJournal(state, record);
  } else {
    ToStderr(record);
  }
}

}  // namespace kubeos::log
