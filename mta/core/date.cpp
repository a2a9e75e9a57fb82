#include "mta/core/date.h"

#include <chrono>
#include <cstdio>

namespace mta::date {

namespace {
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* weekday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
}  // namespace

// UTC calendar fields by C++20 <chrono> arithmetic. Unlike gmtime_r, which
// makes glibc stat and read /etc/localtime on first use, this touches no file:
// qmail-queue calls date822 once per message and every syscall counts.
struct UtcFields {
  int year, month, day, weekday, hour, minute, second;
};

UtcFields utc_fields(std::time_t t) {
  using namespace std::chrono;
  const sys_seconds secs{seconds{t}};
  const sys_days day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(weekday{day}.c_encoding()), static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count())};
}

std::string date822(std::time_t t) {
  const UtcFields f = utc_fields(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d %s %d %02d:%02d:%02d -0000", f.day, month_names[f.month - 1], f.year,
                f.hour, f.minute, f.second);
  return buf;
}

std::string ctime_style(std::time_t t) {
  const UtcFields f = utc_fields(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %02d %02d:%02d:%02d %d", weekday_names[f.weekday], month_names[f.month - 1],
                f.day, f.hour, f.minute, f.second, f.year);
  return buf;
}

std::string date822_local(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  long off = tm.tm_gmtoff / 60;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  char buf[80];
  std::snprintf(buf, sizeof buf, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld", weekday_names[tm.tm_wday], tm.tm_mday,
                month_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60,
                off % 60);
  return buf;
}

}  // namespace mta::date
