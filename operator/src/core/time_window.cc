// SPDX-License-Identifier: MulanPSL-2.0
#include "core/time_window.h"

#include <cstdio>
#include <regex>

namespace kubeos::op {
namespace {

enum class Format { kInvalid, kDateTime, kTime };

Format FormatOf(const std::string& s) {
  static const std::regex kDateTime(R"(^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$)");
  static const std::regex kTime(R"(^\d{2}:\d{2}:\d{2}$)");
  if (std::regex_match(s, kDateTime)) return Format::kDateTime;
  if (std::regex_match(s, kTime)) return Format::kTime;
  return Format::kInvalid;
}

bool InRange(const std::string& s, Format f) {
  int y = 2000, mo = 1, d = 1, h = 0, mi = 0, se = 0;
  if (f == Format::kDateTime) {
    std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se);
  } else {
    std::sscanf(s.c_str(), "%d:%d:%d", &h, &mi, &se);
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  return h <= 23 && mi <= 59 && se <= 59;
}

std::string Render(const LocalTime& t, Format f) {
  char buf[32];
  if (f == Format::kDateTime) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                  t.minute, t.second);
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", t.hour, t.minute, t.second);
  }
  return buf;
}

}  // namespace

Status ValidateTimeWindow(const TimeWindow& w) {
  if (w.start.empty() && w.end.empty()) return {};
  if (w.start.empty() || w.end.empty()) {
    return Fail(Errc::kInvalidArgs,
                "timewindow: starttime and endtime must both be set or both empty");
  }
  const Format fs = FormatOf(w.start), fe = FormatOf(w.end);
  if (fs == Format::kInvalid || fe == Format::kInvalid || !InRange(w.start, fs) ||
      !InRange(w.end, fe)) {
    return Fail(Errc::kInvalidArgs, "timewindow: use YYYY-MM-DD HH:MM:SS or HH:MM:SS (got \"" +
                                        w.start + "\", \"" + w.end + "\")");
  }
  if (fs != fe)
    return Fail(Errc::kInvalidArgs, "timewindow: starttime and endtime use different formats");
  if (w.start == w.end) return Fail(Errc::kInvalidArgs, "timewindow: starttime equals endtime");
  if (fs == Format::kDateTime && w.start > w.end) {
    return Fail(Errc::kInvalidArgs,
                "timewindow: starttime " + w.start + " is after endtime " + w.end);
  }
  return {};
}

bool InsideTimeWindow(const TimeWindow& w, const LocalTime& now) {
  if (w.start.empty() && w.end.empty()) return true;
  const Format f = FormatOf(w.start);
  // Zero-padded fixed-width renderings compare like the times they denote.
  const std::string n = Render(now, f);
  if (f == Format::kTime && w.start > w.end) return n > w.start || n < w.end;  // crosses midnight
  return n > w.start && n < w.end;
}

}  // namespace kubeos::op
