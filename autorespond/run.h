// autorespond/run.h — autorespond's command line and its one run.
//
// Positional form, as autorespond 2.0.x:
//   autorespond TIME NUM MESSAGE DIR [FLAG [ARSENDER]]
// with options before the operands (getopt order, so an operand that starts
// with '-' needs "--" first):
//   --null-sender       reply with the envelope sender <> (RFC 3834 3.3);
//                       without it the envelope sender is ARSENDER, as in 2.0
//   --owner ADDR        the owner's address (repeatable): the sender being one
//                       of them suppresses, and mail that names none of them
//                       in To/Cc/Bcc/Resent-* gets no reply
//   --copy-to ADDR      also send every reply to ADDR (repeatable)
//   --start DATE        no replies before DATE
//   --end DATE          no replies after DATE (a bare date: its whole day)
// DATE is seconds since the epoch, YYYY-MM-DD, or "YYYY-MM-DD HH:MM[:SS]"
// in local time.
//
// A usage error exits 111 like 2.0 (a broken .qmail line defers the
// owner's mail rather than bounce it to a stranger).
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "mta/core/dotqmail.h"
#include "mta/core/paths.h"

namespace autorespond {

struct Options {
  std::time_t window = 0;        // TIME
  unsigned long limit = 0;       // NUM
  std::filesystem::path message;
  std::filesystem::path dir;
  bool quote = true;             // FLAG, 2.0's compiled-in default 1
  std::string arsender = "$";    // ARSENDER, 2.0's default "$"
  bool null_sender = false;
  std::vector<std::string> owners;
  std::vector<std::string> copy_to;
  std::optional<std::time_t> start, end;
};

// Throws ExitError(111, "usage: ...") for a bad command line.
Options parse_args(int argc, char** argv);
// DATE as described above; nullopt if it is none of the forms. end_of_day
// makes a bare date mean its last second.
std::optional<std::time_t> parse_date(std::string_view text, bool end_of_day);

// What ARSENDER stands for: "+" is empty, "$" is EXT@HOST (RECIPIENT when
// EXT is empty, where 2.0 made "@HOST"), anything else itself.
std::string resolve_arsender(std::string_view arsender, const mta::dotqmail::Env& env);

// One delivery: reads the message on message_fd, decides, replies through
// qmail-queue at home. Returns the exit code (0 replied or suppressed);
// throws TempError for 111. One line on log says what happened.
int run(const Options& options, const mta::dotqmail::Env& env, const mta::Home& home, int message_fd,
        std::time_t now, std::ostream& log);

}  // namespace autorespond
