// mta/core/date.h — the two date formats qmail writes.
//
// date822: RFC 5322 date as qmail's date822fmt: "D Mon YYYY hh:mm:ss -0000",
//          always UTC, the day not zero-padded ("26 Sep 1995 04:46:54 -0000").
// ctime:   the mbox From_ line date, UTC, "Www Mmm DD hh:mm:ss YYYY" with a
//          zero-padded day ("Tue Sep 05 04:46:54 1995").
// date822_local: local time with a numeric offset, for predate and Date:
//          fields meant for people ("Tue, 5 Sep 1995 06:46:54 +0200").
#pragma once

#include <ctime>
#include <string>

namespace mta::date {

std::string date822(std::time_t t);
std::string ctime_style(std::time_t t);
std::string date822_local(std::time_t t);

}  // namespace mta::date
