// ezmlm/lib/tools.h — what the subscriber tools share (ezmlm-sub, -unsub,
// -list, -issubn, -checksub, -rmtab): store options from the command line,
// the stdin line format of bulk imports, and the db arguments of issubn
// and checksub.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/subdb.h"

namespace ezmlm {

// -m/-M (SQL allowed / force std), -S spec, -h N / -H (forcehash on/off).
StoreOptions store_options(const CommandLine& cl);

// One stdin line of ezmlm-sub/unsub: with names (-n) the address ends at
// the first unescaped space, tab or comma ('\' escapes the next byte) and
// the rest is the comment. Trailing CR and blanks are dropped (a CRLF file
// imports cleanly). nullopt for blank and '#' lines.
std::optional<Subscription> parse_import_line(std::string_view line, bool with_names);

// The db subdirectories named by issubn/checksub arguments (ezmlm.md 3.2):
// none -> the main list; if every argument is absolute each must lie inside
// DIR; otherwise each is a subdirectory of DIR.
std::vector<std::string> db_arguments(const ListDir& dir, const std::vector<std::string>& args);

// True if address is in any of the dbs.
bool in_any(const ListDir& dir, const std::vector<std::string>& subdirs, std::string_view address,
            const StoreOptions& options = {});

// ezmlm-issubn's and ezmlm-checksub's question: is $SENDER (SRS/BATV
// decoded) in one of the dbs that `db_args` (the operands after DIR) name?
// A bounce sender never is. PermError ERR_NOSENDER when SENDER is unset.
bool sender_in_dbs(const ListDir& dir, const std::vector<std::string>& db_args);

}  // namespace ezmlm
