// mta/pop/splog.h — splogger: qmail's logger, from stdin to syslog.
//
//   splogger [TAG [FACILITY]]
// qmail-start's log (or any program's) arrives on stdin one line at a time;
// each line goes to syslog(3) with the ident TAG (default "splogger") and
// the facility FACILITY*8 (a number, as in "splogger smtpd 3" = LOG_DAEMON;
// default LOG_MAIL). The text is qmail's: "<sec>.<usec> <line>", with bytes
// outside 32..126 written as '?', empty lines skipped, and lines longer than
// 799 bytes cut into pieces, every further piece logged as "<stamp>+<rest>".
// Priority: LOG_ALERT for "alert:" lines, LOG_WARNING for "warning:",
// LOG_INFO otherwise; the pieces of a line share the first one's.
#pragma once
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace mta::pop {

inline constexpr std::size_t splog_piece = 799;

struct LogRecord {
  int priority;      // LOG_INFO, LOG_WARNING or LOG_ALERT
  std::string text;  // what goes to syslog
  bool operator==(const LogRecord&) const = default;
};

// "1234567890.000123" for the given time.
std::string splog_stamp(std::time_t sec, long usec);

// The records one input line (without its "\n") becomes; none if empty.
// continued: line is the rest of a longer line, so its first piece is a
// "+" piece too (its priority is then the caller's business).
std::vector<LogRecord> splog_format(std::string_view line, std::string_view stamp, bool continued = false);

// The facility for FACILITY text: LOG_MAIL when absent; UsageError when not
// a small number.
int splog_facility(const char* arg);

int splogger_main(int argc, char** argv);

}  // namespace mta::pop
