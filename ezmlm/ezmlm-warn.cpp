// ezmlm-warn — warn and probe subscribers whose mail bounces (ezmlm.md 5.2).
//
// `ezmlm-warn [-dD] [-l secs] [-t days] DIR`, run from the manager and
// editor lines (`|| exit 0`) or from cron. For bounce files older than
// -t days (default 10): a warning for a first bounce, a probe for a bounced
// warning; a bounced probe removes the address (ezmlm-return). -d: only the
// digest list; -D: only the main list; neither: both (the digest when the
// list has one). -l: do nothing if the last run was fewer than secs ago
// (default timeout/50). Does nothing when the list has `nowarn` (-w of
// ezmlm-make). Exit 0, 100 for usage, 111 for file or queue trouble.
// See ezmlm-warn(1).
#include <ctime>
#include <iostream>

#include "ezmlm/lib/bounce.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-warn", "ezmlm-warn [-dD] [-l secs] [-t days] dir", "warn and probe subscribers whose mail bounces"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "dDl:t:vV");
        if (cl.operands.empty()) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        if (dir.flag('w')) return mta::exit_ok;
        ezmlm::bounce::WarnOptions options;
        using W = ezmlm::bounce::WarnOptions::Which;
        for (const auto& o : cl.options) {
          if (o.letter == 'd') options.which = W::digest;
          if (o.letter == 'D') options.which = W::main;
          if (o.letter == 't') options.timeout = static_cast<std::time_t>(ezmlm::number_value('t', o.value, 999999999)) * 86400;
          if (o.letter == 'l') options.lockout = static_cast<std::time_t>(ezmlm::number_value('l', o.value, 999999999));
        }
        auto result = ezmlm::bounce::run_warn(dir, options, std::time(nullptr));
        for (const auto& line : result.info) std::cerr << "ezmlm-warn: info: " << line << "\n";
        return mta::exit_ok;
      });
}
