// Fuzz target: qmail-rspawn's mapping of one qmail-remote run's output to a
// report per recipient. Input: byte 0 = recipients (1..100), byte 1 = exit
// code (255: killed), the rest = the run's output. Every recipient must get
// exactly one report with a K, Z or D letter, no NUL, within qmail's size;
// one recipient must be qmail's synthesis byte for byte; and the same
// output for a batch must give every recipient a report.
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/send/spawn.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::size_t n = 1 + data[0] % mta::spawn::remote_batch_limit;
  int status = data[1] == 255 ? 9 : (data[1] << 8);  // a wait status
  std::string raw(reinterpret_cast<const char*>(data + 2), size - 2);
  mta::spawn::Output out(mta::spawn::output_limit * n);
  out.append(raw);
  auto reports = mta::spawn::rspawn_reports(status, out.text(), n);
  if (reports.size() != n) std::abort();
  for (const auto& r : reports) {
    if (r.empty() || (r[0] != 'K' && r[0] != 'Z' && r[0] != 'D')) std::abort();
    if (r.find('\0') != std::string::npos) std::abort();
    if (r.size() > 1 + 2 * mta::spawn::output_limit) std::abort();
  }
  if (n == 1 && reports[0] != mta::spawn::rspawn_report(status, out.text())) std::abort();
  return 0;
}
