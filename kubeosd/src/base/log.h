// SPDX-License-Identifier: MulanPSL-2.0
// Structured logging: journal first (KUBEOS_* fields, MESSAGE_ID), stderr when there is no journal.
#pragma once

#include <syslog.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace kubeos::log {

// Stable MESSAGE_IDs of key events (journalctl MESSAGE_ID=…). Never change a released value.
inline constexpr std::string_view kMsgJobStarted = "e0a05c1a32314580b399ab705f9392ed";
inline constexpr std::string_view kMsgJobDone = "df41087585d7420482051996172a79d4";
inline constexpr std::string_view kMsgJobFailed = "9eb2e654e93e4028abb33417081c8840";
inline constexpr std::string_view kMsgAccessDenied = "be7afc263b304b34852ed9a8d805cea9";
inline constexpr std::string_view kMsgConfigChanged = "8b7ee01f56db413f931f20e6da326ad1";
inline constexpr std::string_view kMsgBootCommitted = "9eb4599ba87e4750bbcd768d8d4e532b";
inline constexpr std::string_view kMsgTrialFailed = "0eec6ecee0c14946b4ecf07a65bd8394";
inline constexpr std::string_view kMsgUnsafeUrl = "bd6c20ead4e142019f883d043b3a025d";

// A structured field; the key is written as KUBEOS_<KEY> (e.g. {"JOB", "3"} → KUBEOS_JOB=3).
struct Field {
  std::string_view key;
  std::string value;
};

struct Record {
  int priority = LOG_INFO;
  std::string_view message_id;  // empty when the event has none
  std::string message;
  std::vector<Field> fields;
};

enum class Sink {
  kAuto,  // journal when $JOURNAL_STREAM is set or the journal socket exists, else stderr
  kJournal,
  kStderr,  // "<prio>message key=value…" lines, which systemd also understands
};

// Chooses where records go. |identifier| is SYSLOG_IDENTIFIER (e.g. "kubeosd").
void Init(std::string_view identifier, Sink sink = Sink::kAuto);
// Records with a priority above |max_priority| (e.g. LOG_DEBUG) are dropped. Default LOG_INFO.
void SetMaxPriority(int max_priority);
// Tests: every record goes to |capture| instead of the sink; an empty function restores the sink.
void SetCaptureForTesting(std::function<void(const Record&)> capture);

void Write(Record record);

inline void Log(int priority,
                std::string message,
                std::initializer_list<Field> fields = {},
                std::string_view message_id = {}) {
  Write(Record{priority, message_id, std::move(message), std::vector<Field>(fields)});
}
inline void Debug(std::string message, std::initializer_list<Field> fields = {}) {
  Log(LOG_DEBUG, std::move(message), fields);
}
inline void Info(std::string message, std::initializer_list<Field> fields = {}) {
  Log(LOG_INFO, std::move(message), fields);
}
inline void Notice(std::string message, std::initializer_list<Field> fields = {}) {
  Log(LOG_NOTICE, std::move(message), fields);
}
inline void Warning(std::string message, std::initializer_list<Field> fields = {}) {
  Log(LOG_WARNING, std::move(message), fields);
}
inline void Err(std::string message, std::initializer_list<Field> fields = {}) {
  Log(LOG_ERR, std::move(message), fields);
}

}  // namespace kubeos::log
