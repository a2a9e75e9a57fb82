// filters/helpers.h — what the programs run from .qmail files share.
//
// bouncesaying, condredirect, except, forward and preline are qmail's small
// helpers for pipe lines in dot-qmail files (reference mta.md section 8).
// They read the message on fd 0, the qmail-local environment (DTLINE,
// SENDER, NEWSENDER, ...) and answer with qmail-local's exit contract:
// 0 go on with the next line, 99 stop after this line, 100 bounce, 111 retry.
//
// Each program keeps qmail's own rule for its child's status; they are
// written out here, one function each, so that they can be unit-tested
// without starting a process. The child always runs through
// process::spawn with a PATH search (execvp), never through a shell, and
// a child that cannot be started exits 111 (temporary errno) or 100.
//
// Errors: a crashed child, a failed fork or wait throw TempError with
// qmail's text ("child crashed") and no status code, because the texts of
// these helpers end up verbatim in bounces that users already filter on.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "mta/core/dotqmail.h"

namespace filters {

// What bouncesaying, condredirect and except see in a child's wait status.
// A child killed by a signal is never a verdict: child_verdict throws
// TempError "child crashed".
enum class ChildVerdict { zero, temporary, other };  // exit 0, exit 111, anything else
ChildVerdict child_verdict(int wait_status);

// Exit codes of the three programs for a verdict (qmail's tables):
//   bouncesaying: zero -> 100 (after printing the text), temporary -> 111, other -> 0
//   except:       zero -> 100, temporary -> 111, other -> 0
//   condredirect: zero -> redirect then 99, temporary -> 111, other -> 0
// The temporary case throws TempError "temporary child error" in all three.
int except_exit(ChildVerdict v);
bool bouncesaying_bounces(ChildVerdict v);
bool condredirect_redirects(ChildVerdict v);

// Runs argv with execvp semantics, stdin/stdout/stderr shared with us, and
// returns its wait status. exec_error_text as in process::SpawnOptions.
int run_child(const std::vector<std::string>& argv, std::string_view exec_error_text = {});

// preline's -f -r -d (leave out UFLINE / RPLINE / DTLINE) and their upper-case
// opposites; the last one given for a line wins, as with qmail's getopt loop.
struct PrelineOptions {
  bool ufline = true;
  bool rpline = true;
  bool dtline = true;
  std::vector<std::string> command;  // argv of the program to feed
};
// Throws UsageError for an unknown flag or a missing command.
PrelineOptions parse_preline(int argc, char** argv);

// The lines preline writes before the message, in qmail's order.
std::string preline_prefix(const PrelineOptions& o, std::string_view ufline, std::string_view rpline,
                           std::string_view dtline);

// Runs preline: needs UFLINE, RPLINE and DTLINE in env (PermError "X not
// set", exit 100, whichever are selected), starts the command on a pipe,
// writes the selected lines and then message_fd into it, and returns the
// command's exit code. The command stopping early (EPIPE) is not an error;
// a read error on message_fd throws TempError "unable to copy input".
int run_preline(const PrelineOptions& o, const mta::dotqmail::Env& env, int message_fd);

// The exit code for a queue result, after printing what qmail's forward and
// condredirect print on stderr: "<prog>: qp <pid>" when queued, else
// "<prog>: fatal: <text without D/Z>". ok_code is 0 (forward) or 99
// (condredirect).
int report_queued(std::string_view prog, const mta::dotqmail::Forwarded& q, int ok_code);

}  // namespace filters
