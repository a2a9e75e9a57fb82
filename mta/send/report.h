// mta/send/report.h — delivery reports from qmail-lspawn and qmail-rspawn.
//
// A report is <slot byte><status byte><text>\0 (reference mta.md 4.3):
// status K (delivered), Z (deferred), D (failed); the text is free-form and
// may hold newlines. Reports of different slots come in any order and may be
// split anywhere by the pipe, so ReportReader is fed whatever read() gave and
// hands out complete reports. A text is kept up to report_max bytes; the rest
// is read and dropped, as qmail-send does.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mta::send {

inline constexpr std::size_t report_max = 10000;

struct Report {
  unsigned slot = 0;
  char status = '\0';  // '\0' for an empty report
  std::string text;
};

class ReportReader {
 public:
  // feed - add bytes read from the spawner.
  void feed(std::string_view bytes);
  // next - the next complete report, if one has arrived.
  std::optional<Report> next();

 private:
  std::string buf_;
};

// status_known - K, Z and D are the only statuses; anything else is mangled.
inline bool status_known(char status) { return status == 'K' || status == 'Z' || status == 'D'; }

}  // namespace mta::send
