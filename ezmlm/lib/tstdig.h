// ezmlm/lib/tstdig.h — is a digest due? (ezmlm-tstdig, ezmlm.md 3.2).
//
// DIR/dignum "N:S:T" records the last digest: the last message it held, the
// cumulative size (num's S, 256-byte units) and when it went out. A digest
// is due when any enabled criterion holds (0 disables one):
//   hours  T + hours*3600 <= now                       (-t, digtime, 48)
//   kbytes S_dig + kbytes*4 <= S_now                   (-k, digsize, 64)
//   msgs   N_dig + msgs <= N_now                       (-m, digcount, 30)
// No DIR/num: never due (exit 99).
//
// Where it runs (LOCAL/DEFAULT as qmail-local sets them):
//   LOCAL unset/empty          command line: the answer, nothing written
//   LOCAL set, DEFAULT set     manager: DEFAULT not starting "dig", or
//                              starting "digest-", is not ours -> exit 0
//                              (let the next line run); otherwise the answer
//   LOCAL set, DEFAULT unset   editor: a due digest is claimed under
//                              DIR/lock by writing DIR/tstdig (now) —
//                              unless another run claimed it less than an
//                              hour ago and after the last digest, so two
//                              posts arriving together make one digest.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "ezmlm/lib/listdir.h"

namespace ezmlm::tstdig {

struct Criteria {
  unsigned long kbytes = 64;
  unsigned long msgs = 30;
  unsigned long hours = 48;
};

// The last digest as DIR/dignum records it (all 0 when absent).
struct DigNum {
  unsigned long number = 0;
  unsigned long size = 0;
  unsigned long when = 0;
  bool operator==(const DigNum&) const = default;
};
// "N", "N:S" or "N:S:T"; missing parts are 0, junk after a number is
// ignored (as ezmlm's scan_ulong does).
DigNum parse_dignum(std::string_view line);
std::optional<DigNum> read_dignum(const ListDir& dir);
std::string format_dignum(const DigNum& d);

bool due(const Criteria& c, const DigNum& last, unsigned long num, unsigned long size, std::time_t now);

// The whole ezmlm-tstdig run; returns the exit code (0 = make a digest,
// 99 = not now). `criteria` already holds files and switches.
int run(const ListDir& dir, const Criteria& criteria, std::time_t now);

}  // namespace ezmlm::tstdig
