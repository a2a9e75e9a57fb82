// ezmlm/lib/bounce.h — ezmlm-return and ezmlm-warn: bounces, warnings,
// probes and removal (ezmlm.md 5.1, 5.2).
//
// A list's posts leave with envelope sender <l>-return-N-@host-@[], which
// qmail-send turns into <l>-return-N-box=dom@host for each recipient; a
// bounce comes back there, and the bouncer runs ezmlm-return with DEFAULT =
// "N-box=dom". The bookkeeping lives in <work>/bounce/ (work = DIR, or
// DIR/digest for the digest list), under the lock <work>/lockbounce:
//
//   d/<T/10000>/d<T%10000>.<pid>[.<n>]   a bounce: "box@dom" NUL
//                                        "Return-Path: <sender>\n" bounce
//   d/<T/10000>/w<T%10000>.<pid>         a bounce of a warning (same form)
//   h/<c0>/h<c1..c19>                    history: "   N\n" per bounced
//                                        message; c = cookie("", "", box@dom, 0)
//   lastd, lasth                         ezmlm-warn's last run / last h
//                                        subdirectory expired (a..p)
//   Log                                  our addition, see below
//
// Only the first bounce of an address is kept as a d file (when its h file
// did not exist yet); later ones only add their message number to h.
//
// ezmlm-warn, for every d/<NNNN> with NNNN*10000 + timeout <= now: a d file
// of an address still subscribed gets a warning (text top, bounce-warn,
// bounce-num or dig-bounce-num with the numbers of its h file,
// bounce-bottom, the bounce) from envelope <l>-return-warn-T.H-box=dom@host
// and its h file is deleted; a w file gets a probe (bounce-probe) from
// <l>-return-probe-T.H-box=dom@host. A bounce of the probe comes back to
// ezmlm-return as "probe-T.H-box=dom" and removes the address (Log -probe).
//
// More than ezmlm-idx: the bounce is read as an RFC 3464 report or a qmail
// QSBMF (dsn.h). A bounce whose report says the failure is transient (4.x.x)
// or a DMARC/policy rejection, or not a failure at all, is not counted: no
// d/w/h file is written, an info line goes to stderr and one line to
// <work>/bounce/Log, in the Log format of the subscriber dbs:
//   "unixtime SP ~verdict SP address SP status SP diagnostic\n"
// (~policy, ~transient or ~not-failure; controls and 8-bit bytes as '?',
// cut at 200 bytes). So a DMARC rejection never unsubscribes anyone.
// The report also finds the failed recipient when the return address has
// no box (<l>-return-N-@host) or its box is not a subscriber.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/dsn.h"
#include "ezmlm/lib/listdir.h"

namespace ezmlm::bounce {

namespace fs = std::filesystem;

// Where one list (main or digest) keeps its bounces.
struct Work {
  fs::path dir;        // DIR or DIR/digest
  std::string subdb;   // "" or "digest": the subscriber db
  std::string local;   // <l>: outlocal or outlocal-digest
  bool digest = false;
};
Work work_for(const ListDir& dir, bool digest);

// The forms of DEFAULT after "<l>-return-".
enum class Kind { trash, probe, warn, verp, bare, unknown };
struct ReturnAddress {
  Kind kind = Kind::unknown;
  unsigned long msgnum = 0;  // verp, bare
  std::string box;           // verp: box@dom (last '=' -> '@'); "" for bare
  std::string cookie_text;   // probe, warn: the whole DEFAULT for parse_bounce
};
ReturnAddress parse_return(std::string_view deflt);

// "h/<c0>/h<c1..c19>" relative to <work>/bounce.
std::string history_name(std::string_view address);

// What ezmlm-return did with one address.
enum class Outcome { stored, counted, warn_stored, not_counted, not_subscriber, removed, bad_cookie, trash };

struct ReturnResult {
  std::vector<std::pair<std::string, Outcome>> addresses;
  std::vector<std::string> info;  // lines for stderr (without "prog: info: ")
};

struct ReturnInput {
  std::string sender;      // SENDER as received (the bounce's Return-Path)
  std::string deflt;       // DEFAULT
  std::string message;     // the whole bounce
  std::time_t now = 0;
  pid_t pid = 0;
};

// ezmlm-return's whole job for one bounce (the caller exits 99).
ReturnResult handle_return(const ListDir& dir, bool digest, const ReturnInput& in);

// Stores a bounce of a post (d file + h history) or of a warning (w file).
// Returns true when a d/w file was written (false: only h grew).
bool store_bounce(const Work& work, std::string_view address, unsigned long msgnum, std::string_view sender,
                  std::string_view message, std::time_t now, pid_t pid, unsigned n);
bool store_warn_bounce(const Work& work, std::string_view address, std::string_view sender,
                       std::string_view message, std::time_t now, pid_t pid);
// One line in <work>/bounce/Log for a bounce that was not counted.
void log_not_counted(const Work& work, std::time_t now, dsn::Verdict verdict, std::string_view address,
                     const dsn::Recipient& why);

struct WarnOptions {
  enum class Which { both, main, digest } which = Which::both;  // none / -D / -d
  std::time_t timeout = 10 * 86400;                             // -t days
  std::optional<std::time_t> lockout;                           // -l secs (default timeout/50)
};

struct WarnResult {
  unsigned warnings = 0, probes = 0, dropped = 0;
  std::vector<std::string> info;
};

// ezmlm-warn's whole job. `nowarn` is the caller's check.
WarnResult run_warn(const ListDir& dir, const WarnOptions& options, std::time_t now);

}  // namespace ezmlm::bounce
