// mta/core/dotqmail.h — dot-qmail files: search, parse, environment.
//
// What qmail-local does before it delivers (reference 7.3-7.6, dot-qmail(5)):
//   qmesearch  which .qmail file of a home directory handles dash+ext, with
//              the -default rules, the DEFAULT tail and the mode checks;
//   parse      the file's lines into instructions (comment, |program,
//              ./mbox, ./Maildir/, &forward or bare address, +list);
//   Params     the delivery's arguments, from which the standard lines
//              (DTLINE, RPLINE, UFLINE), EXT2-4, HOST2-4 and NEWSENDER follow;
//   Env        the same variables read back once from the environment by the
//              programs a .qmail file runs (forward, condredirect, preline...).
//
// Errors: TempError with qmail-local's texts and codes: a NUL byte in a file
// ("Uh-oh: NUL byte in F. (#4.2.1)" — ours: qmail would cut the line silently),
// a blank first line, unreadable or writable files (4.7.0), x-bit files with
// file or program lines. Lines have no length limit.
#pragma once
#include <sys/types.h>
#include <cstddef>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/envelope.h"
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/core/queue_client.h"

namespace mta::dotqmail {
namespace fs = std::filesystem;

// ---- instructions -------------------------------------------------------

enum class Kind {
  program,  // |command: run as /bin/sh -c command
  mbox,     // ./file or /file: append in mbox format
  maildir,  // ./dir/ or /dir/: deliver into a Maildir
  forward,  // &address or a bare address
};

struct Instruction {
  Kind kind;
  std::string text;      // the command, path or address (prefix removed)
  std::size_t line = 0;  // 1-based line number, for messages
  bool operator==(const Instruction&) const = default;
};

struct Parsed {
  std::vector<Instruction> instructions;  // in file order; comments dropped
  bool list = false;                      // a "+list" line: forward-only mode
  std::size_t list_line = 0;              // ...from this line on (qmail's order)
};

// Parses a .qmail file's contents. name is used in error texts. Throws
// TempError for a NUL byte (4.2.1) or a blank first line (4.2.1).
Parsed parse(std::string_view contents, std::string_view name);

// ---- the file search (qmesearch) -----------------------------------------

// ext lower-cased, '.' replaced by ':' (no path tricks through the name).
std::string safeext(std::string_view ext);

struct Candidate {
  std::string name;                          // ".qmail-foo-default"
  std::optional<std::string> default_part;   // what "default" stands for
  bool operator==(const Candidate&) const = default;
};

// The names qmesearch tries, in order, for dash and ext.
std::vector<Candidate> search_order(std::string_view dash, std::string_view ext);

struct Found {
  std::optional<Candidate> file;   // nullopt: no file found
  std::string contents;            // the file's bytes (empty if none)
  bool forward_only = false;       // owner-execute bit on the file
};

// Runs the search in directory home (qmail-local has chdir'ed there; pass
// "." then). patrn: mode bits that make a file "writable" (default 002).
// Throws TempError for open errors other than absence (4.3.0) and for a
// writable file (4.7.0). Does not apply the "no mailbox" rule: the caller
// decides with dash.
Found qmesearch(const fs::path& home, std::string_view dash, std::string_view ext,
                mode_t patrn = 002);

// ---- the delivery and its environment ------------------------------------

struct Params {
  std::string user, home, local, dash, ext, host, sender;
};

std::string dtline(std::string_view local, std::string_view host);  // "Delivered-To: l@h\n"
std::string rpline(std::string_view sender);                         // "Return-Path: <s>\n"
std::string ufline(std::string_view sender, std::time_t now);        // "From s ctime\n"

// EXTn: ext after the (n-1)th '-' (n = 2..4), empty if there are fewer.
std::string ext_part(std::string_view ext, int n);
// HOSTn: host minus its last n-1 dot-components, stopping when none is left.
std::string host_part(std::string_view host, int n);

// NEWSENDER (7.6): bounces keep their sender; an existing
// .qmail<dash><safeext>-owner makes it local-owner@host, or the VERP form
// local-owner-@host-@[] when -owner-default exists too. Throws TempError when
// a probe fails other than by absence.
std::string newsender(const fs::path& home, const Params& p);

// The variables a .qmail program sees, read once from the environment.
struct Env {
  std::optional<std::string> sender, newsender, recipient, user, home, local, host;
  std::optional<std::string> ext, ext2, ext3, ext4, host2, host3, host4, default_;
  std::optional<std::string> dtline, rpline, ufline;

  // Reads them from this process's environment.
  static Env from_environment();
  // Builds them for a delivery (qmail-local): default_part from qmesearch.
  static Env for_delivery(const Params& p, const std::optional<std::string>& default_part,
                          const std::string& newsender, std::time_t now);
  // "NAME=value" for every set variable (DEFAULT only when set).
  std::vector<std::string> to_environment() const;
  // The variable by its environment name ("SENDER"), nullptr if unknown or unset.
  const std::string* get(std::string_view name) const;
  // The value, or PermError "NAME not set" (filters exit 100 on it).
  const std::string& need(std::string_view name) const;
};

// ---- forwarding ------------------------------------------------------------

// The forwarding copy of qmail-local's forwards and of forward and
// condredirect: dtline, then the rest of message_fd from its current offset,
// streamed to the queue program with envelope env.
struct Forwarded {
  pid_t qp = -1;       // the queue program's pid ("qp N")
  QueueResult result;  // queued, or its D/Z text
};
// A read error on message_fd: TempError "unable to read message: REASON"
// (4.3.0); err is the errno. The queue program then sees no envelope and
// queues nothing.
struct ReadError : TempError {
  ReadError(std::string what, int e) : TempError(std::move(what)), err(e) {}
  int err;
};
Forwarded queue_forward(const Home& home, int message_fd, std::string_view dtline, const Envelope& env);

}  // namespace mta::dotqmail
