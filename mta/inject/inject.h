// mta/inject/inject.h — qmail-inject: fix up a message's header, derive the
// envelope, queue it.
//
// The work is split so that the header logic runs without processes:
//   parse_options()  the command line (-nNaAhH, -f sender, recipients);
//   load_settings()  everything else from outside — environment, control
//                    files, QMAILMFTFILE, the clock and the pid — read once;
//   rewrite_header() the header rules of reference mta.md 12.4: address
//                    rewriting, removed and added fields, sender and
//                    recipients. Pure: same input, same output;
//   inject()         reads the header from a Reader, then streams the body to
//                    qmail-queue (through QueueClient) or to a Writer (-n).
//                    The body is never held in memory.
//
// Errors: ExitError 100 for what qmail-inject treats as permanent (an
// unparsable address argument or sender field, a sender with CR or LF, a
// permanent qmail-queue status), TempError or ExitError 111 otherwise. The
// texts are qmail-inject's, printed by run_main as "qmail-inject: fatal: ...".
#pragma once

#include <sys/types.h>

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/address.h"
#include "mta/core/io.h"
#include "mta/core/message.h"
#include "mta/core/paths.h"

namespace mta::inject {

// Where envelope recipients come from: -a, -h, -A (the default), -H.
enum class Strategy { args, header, args_else_header, both };

struct Options {
  bool print = false;  // -n: print the message instead of queueing it
  Strategy strategy = Strategy::args_else_header;
  std::optional<std::string> sender;  // -f
  std::vector<std::string> recipients;
};

// qmail-inject's own command line. Throws UsageError.
Options parse_options(int argc, char** argv);

// The QMAILINJECT letters.
struct Flags {
  bool comment_from = false;    // c: From: user@host (Name)
  bool strip_return_path = false;  // s: ignore the incoming Return-Path
  bool strip_from = false;      // f: delete the incoming From
  bool strip_message_id = false;  // i: delete the incoming Message-ID
  bool verp_recipient = false;  // r: per-recipient VERP sender
  bool verp_message = false;    // m: per-message VERP sender
};
Flags parse_flags(std::string_view letters);

// The rewriting rules 1-6 of qmail-inject's rwgeneric.
struct Rewriter {
  std::string defaulthost;
  std::string defaultdomain;
  std::string plusdomain;

  // An internal-form address, rewritten ("joe" -> "joe@host.domain").
  std::string address(std::string_view addr) const;
  // A parsed mailbox: drops the source route (rule 2), rewrites the address.
  void mailbox(address::Mailbox& m) const;
};

using Env = std::map<std::string, std::string, std::less<>>;

struct Settings {
  Env env;                  // the environment, read once
  Flags flags;
  Rewriter rewriter;
  std::string idhost;
  std::optional<std::vector<std::string>> mft;  // QMAILMFTFILE's addresses, if any
  std::time_t now = 0;
  pid_t pid = 0;
};

// Reads QMAILINJECT, the QMAIL* overrides, the control files (with the
// me-fallback and the literal file name as last fallback) and QMAILMFTFILE.
Settings load_settings(const Home& home, Env env, std::time_t now, pid_t pid);
// The environment of this process.
Env environment();

struct Result {
  std::string header;  // the header to write, ending with the blank line and the body's first bytes
  std::string sender;  // internal form
  std::vector<std::string> recipients;
};

// Applies the header rules to `header` (which it consumes).
Result rewrite_header(message::Header header, const Options& options, const Settings& settings);

// The whole run: header from `in`, body streamed after it. With options.print
// the message goes to `out`, preceded by "Return-Path: <sender>"; otherwise
// to qmail-queue of `home`.
void inject(io::Reader& in, const Options& options, const Settings& settings, const Home& home,
            io::Writer& out);

}  // namespace mta::inject
