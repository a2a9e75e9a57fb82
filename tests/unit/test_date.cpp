// Unit tests: mta/core/date — qmail's date822fmt (Received lines), the mbox
// From_ line date, and the local-time Date: of predate/qmail-inject.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "mta/core/date.h"

namespace date = mta::date;

namespace {

// Sets TZ for the life of the object and restores the old value (or absence).
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (old_)
      ::setenv("TZ", old_->c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("date822 is UTC, day not padded, always -0000 (qmail's date822fmt)") {
  struct Row {
    std::time_t t;
    const char* want;
  };
  const Row rows[] = {
      {-1, "31 Dec 1969 23:59:59 -0000"},
      {0, "1 Jan 1970 00:00:00 -0000"},
      {812083614, "26 Sep 1995 02:46:54 -0000"},
      {951782400, "29 Feb 2000 00:00:00 -0000"},
      {1000000000, "9 Sep 2001 01:46:40 -0000"},
      {4102444799, "31 Dec 2099 23:59:59 -0000"},
  };
  // The local zone must not matter.
  ScopedTz tz("CET-1CEST,M3.5.0,M10.5.0/3");
  for (const auto& row : rows) {
    INFO("t = " << row.t);
    CHECK(date::date822(row.t) == row.want);
  }
}

TEST_CASE("ctime_style is the mbox From_ date: UTC, weekday first, day zero-padded") {
  struct Row {
    std::time_t t;
    const char* want;
  };
  const Row rows[] = {
      {0, "Thu Jan 01 00:00:00 1970"},
      {812083614, "Tue Sep 26 02:46:54 1995"},
      {951782400, "Tue Feb 29 00:00:00 2000"},
      {1000000000, "Sun Sep 09 01:46:40 2001"},
      {4102444799, "Thu Dec 31 23:59:59 2099"},
  };
  ScopedTz tz("NST+3:30");
  for (const auto& row : rows) {
    INFO("t = " << row.t);
    CHECK(date::ctime_style(row.t) == row.want);
  }
}

TEST_CASE("date822_local uses the local zone with a numeric offset") {
  struct Row {
    const char* tz;
    std::time_t t;
    const char* want;
  };
  const Row rows[] = {
      {"UTC0", 5, "Thu, 1 Jan 1970 00:00:05 +0000"},
      {"CET-1CEST,M3.5.0,M10.5.0/3", 812083614, "Tue, 26 Sep 1995 04:46:54 +0200"},  // summer time
      {"CET-1CEST,M3.5.0,M10.5.0/3", 1700000000, "Tue, 14 Nov 2023 23:13:20 +0100"},
      {"NST+3:30", 0, "Wed, 31 Dec 1969 20:30:00 -0330"},  // west, half hour
      {"IST-5:30", 0, "Thu, 1 Jan 1970 05:30:00 +0530"},
      {"XST+12", 1000000000, "Sat, 8 Sep 2001 13:46:40 -1200"},
  };
  for (const auto& row : rows) {
    INFO("TZ=" << row.tz << " t = " << row.t);
    ScopedTz tz(row.tz);
    CHECK(date::date822_local(row.t) == row.want);
  }
}
