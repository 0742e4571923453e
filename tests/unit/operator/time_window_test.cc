// SPDX-License-Identifier: MulanPSL-2.0
#include "core/time_window.h"

#include <gtest/gtest.h>

namespace kubeos::op {
namespace {

struct WindowCase {
  const char* start;
  const char* end;
  LocalTime now;
  bool valid;
  bool inside;
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const WindowCase& c, std::ostream* os) {
  *os << "'" << c.start << "' to '" << c.end << "'";
}

class TimeWindowTable : public ::testing::TestWithParam<WindowCase> {};

TEST_P(TimeWindowTable, ValidatesAndGatesAsTheSeedSays) {
  const auto& c = GetParam();
  TimeWindow w{c.start, c.end};
  EXPECT_EQ(ValidateTimeWindow(w).has_value(), c.valid) << c.start << " – " << c.end;
  if (c.valid) {
    EXPECT_EQ(InsideTimeWindow(w, c.now), c.inside) << c.start << " – " << c.end;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases,
    TimeWindowTable,
    ::testing::Values(
        WindowCase{"", "", {2026, 1, 1, 3, 0, 0}, true, true},            // no window
        WindowCase{"08:00:00", "", {}, false, false},                     // one empty
        WindowCase{"08:00:00", "2026-01-01 09:00:00", {}, false, false},  // mixed formats
        WindowCase{"8:00:00", "09:00:00", {}, false, false},              // bad format
        WindowCase{"25:00:00", "09:00:00", {}, false, false},             // out of range
        WindowCase{"2026-02-30 00:00:00", "2026-03-01 00:00:00", {}, false, false},  // no such day
        WindowCase{"09:00:00", "09:00:00", {}, false, false},                        // empty window
        WindowCase{
            "2026-05-02 00:00:00", "2026-05-01 00:00:00", {}, false, false},  // dated, reversed
        WindowCase{"08:00:00", "10:00:00", {2026, 1, 1, 9, 0, 0}, true, true},
        WindowCase{"08:00:00", "10:00:00", {2026, 1, 1, 10, 0, 0}, true, false},  // end exclusive
        WindowCase{"08:00:00", "10:00:00", {2026, 1, 1, 7, 59, 59}, true, false},
        WindowCase{"22:00:00", "02:00:00", {2026, 1, 1, 23, 30, 0}, true, true},  // overnight
        WindowCase{"22:00:00", "02:00:00", {2026, 1, 2, 1, 30, 0}, true, true},   // after midnight
        WindowCase{"22:00:00", "02:00:00", {2026, 1, 2, 12, 0, 0}, true, false},
        WindowCase{
            "2026-01-01 00:00:00", "2026-01-02 00:00:00", {2026, 1, 1, 12, 0, 0}, true, true},
        WindowCase{"2025-01-01 00:00:00",
                   "2025-01-02 00:00:00",
                   {2026, 1, 1, 12, 0, 0},
                   true,
                   false},  // past
        WindowCase{
            "2027-01-01 00:00:00", "2027-01-02 00:00:00", {2026, 1, 1, 12, 0, 0}, true, false}
        // future
        ));

}  // namespace
}  // namespace kubeos::op
