// mta/send/report.cpp — spawner report parsing (see report.h).
#include "mta/send/report.h"

namespace mta::send {

void ReportReader::feed(std::string_view bytes) { buf_.append(bytes); }

std::optional<Report> ReportReader::next() {
  // The slot byte may itself be NUL, so the terminator is searched after it.
  if (buf_.empty()) return std::nullopt;
  std::size_t nul = buf_.find('\0', 1);
  if (nul == std::string::npos) return std::nullopt;
  Report r;
  r.slot = static_cast<unsigned char>(buf_[0]);
  if (nul > 1) {
    r.status = buf_[1];
    std::size_t len = nul - 2;
    if (len > report_max) len = report_max;
    r.text.assign(buf_, 2, len);
  }
  buf_.erase(0, nul + 1);
  return r;
}

}  // namespace mta::send
