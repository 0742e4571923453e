// SPDX-License-Identifier: MulanPSL-2.0
// The OS time window (R-2.4): parsing and "is this local wall-clock time inside
// it".
#pragma once

#include <string>

#include "base/error.h"

namespace kubeos::op {

// A wall-clock time in the operator's configured time zone.
struct LocalTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

struct TimeWindow {
  std::string start;  // "YYYY-MM-DD HH:MM:SS" or "HH:MM:SS"; both empty = no window
  std::string end;
};

// Checks the rules of: both set or both empty, one of the two formats,
// the same format in both, valid ranges, start != end, and start < end for the
// dated format.
Status ValidateTimeWindow(const TimeWindow& w);

// Whether |now| is inside the (validated) window; bounds are exclusive as
// upstream. A daily window whose start is after its end crosses midnight.
bool InsideTimeWindow(const TimeWindow& w, const LocalTime& now);

}  // namespace kubeos::op
