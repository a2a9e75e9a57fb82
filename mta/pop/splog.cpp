// mta/pop/splog.cpp — see splog.h.
#include "mta/pop/splog.h"

#include <sys/time.h>
#include <syslog.h>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/pop/pop3_command.h"

namespace mta::pop {

std::string splog_stamp(std::time_t sec, long usec) {
  std::string u = std::to_string(usec);
  if (u.size() < 6) u.insert(0, 6 - u.size(), '0');
  return cat(std::to_string(sec), ".", u);
}

std::vector<LogRecord> splog_format(std::string_view line, std::string_view stamp, bool continued) {
  std::vector<LogRecord> out;
  if (line.empty()) return out;
  int priority = LOG_INFO;
  if (line.starts_with("alert:")) priority = LOG_ALERT;
  else if (line.starts_with("warning:")) priority = LOG_WARNING;
  bool first = !continued;
  while (!line.empty()) {
    std::string_view piece = line.substr(0, splog_piece);
    line.remove_prefix(piece.size());
    std::string text = cat(stamp, first ? " " : "+");
    for (char ch : piece) {
      const auto c = static_cast<unsigned char>(ch);
      text.push_back(c >= 32 && c <= 126 ? ch : '?');
    }
    out.push_back({priority, std::move(text)});
    first = false;
  }
  return out;
}

int splog_facility(const char* arg) {
  if (!arg) return LOG_MAIL;
  auto n = parse_number(arg);
  if (!n || *n > 23) throw UsageError(cat("bad facility: ", arg, " (a number from 0 to 23)"));
  return static_cast<int>(*n) << 3;
}

int splogger_main(int argc, char** argv) {
  const char* tag = argc > 1 ? argv[1] : "splogger";
  const int facility = splog_facility(argc > 2 ? argv[2] : nullptr);
  ::openlog(tag, 0, facility);
  // Byte by byte from a buffered reader, so that a line without end never
  // grows in memory: whole 799-byte pieces go out as soon as they are full.
  io::Reader in(0);
  std::string piece, stamp;
  int priority = LOG_INFO;
  bool continued = false;
  auto emit = [&] {
    if (!continued) {
      timeval tv{};
      ::gettimeofday(&tv, nullptr);
      stamp = splog_stamp(tv.tv_sec, static_cast<long>(tv.tv_usec));
    }
    for (LogRecord& r : splog_format(piece, stamp, continued)) {
      if (continued) r.priority = priority;
      priority = r.priority;
      ::syslog(r.priority, "%s", r.text.c_str());
    }
    continued = true;
    piece.clear();
  };
  while (auto ch = in.get()) {
    if (*ch == '\n') {
      if (!piece.empty()) emit();
      continued = false;
      continue;
    }
    piece.push_back(*ch);
    if (piece.size() == splog_piece) emit();
  }
  if (!piece.empty()) emit();
  return 0;
}

}  // namespace mta::pop
