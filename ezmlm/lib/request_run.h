// ezmlm/lib/request_run.h — ezmlm-request's whole job (ezmlm.md 3.2, 8).
//
// One list (no -f): DEFAULT must be "request" or "request-<cmd>"; anything
// else is not ours (exit 0, the manager's next line runs). The command
// comes from DEFAULT's rest, else the Subject (RFC 2047 decoded, unfolded),
// else the first body line starting with a letter, else "help" (request.h
// has the word rules). The message is forwarded unchanged but for
// headerremove/headerkeep and a new first line
//   Delivered-To: request processor for local@host
// to local-<cmd>-<target=dom>@host, envelope sender = SENDER (decoded), and
// ezmlm-request ends with 99 so the manager's later lines do not run.
//
// At a list, "lists" and "which" are "help" (they belong to the global
// interface).
//
// Global interface (-f config, lines "list@host:listdir:description"):
// DEFAULT is optional; the list named in the request selects where the
// command goes. "lists" and "which" are answered here from
// <outlocal>-help@host, Subject "<outlocal> results": every list with its
// description (to SENDER), or the lists whose main db holds the target
// (to the target, default SENDER, as ezmlm-idx does). A request naming no
// known list is answered as "lists".
//
// Loops: mail that must_not_answer() (reply.h) refuses is dropped (99,
// with an info line); a message already carrying our Delivered-To line is
// refused (100, ERR_LOOPING).
#pragma once

#include <optional>
#include <string>

#include "ezmlm/lib/listdir.h"
#include "mta/core/io.h"

namespace ezmlm::request {

struct RunOptions {
  std::optional<std::string> config;  // -f
};

// Returns the exit code (0 = not for us, 99 = done); throws PermError /
// TempError for 100 / 111. Diagnostics ("qp N") go to stderr.
int run(const ListDir& dir, const RunOptions& options, mta::io::Reader& in);

}  // namespace ezmlm::request
