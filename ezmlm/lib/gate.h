// ezmlm/lib/gate.h — ezmlm-gate: send a post at once or queue it for
// moderation (ezmlm.md 3.2, 8 row 180).
//
// ezmlm-gate [-cCrRQ] [-mMpPsSyY] [-q file] [-0] DIR [db...]
//   1. When -q names a file (read as a list file: DIR/file, then the alt
//      and default places; '#' and blank lines skipped, a leading '|'
//      dropped), each line is run as the list owner's command by
//      /bin/sh -c in DIR with the message on stdin (rewound before each):
//      exit 0 -> the next line; 99 -> post; 111 -> defer (111);
//      anything else -> moderate. All lines 0 -> post, unless db
//      arguments are given, which then decide.
//   2. Without a decision yet: SENDER (SRS/BATV decoded) in any of the
//      dbs named after DIR (".", "digest", "allow", "mod"; absolute paths
//      only inside DIR) -> post; otherwise (no dbs, no SENDER, bounce
//      sender) -> moderate.
//   3. post = $EZMLM_BIN/ezmlm-send (moderate::sibling_program: the one
//      next to ezmlm-gate when EZMLM_BIN has none) with -c -C -r -R -Q as given;
//      moderate = $EZMLM_BIN/ezmlm-store with those and -m -M -p -P -s -S
//      -y -Y. The child reads the rewound message; its exit 0 or 100 is
//      ours, anything else is 111. -0 prints the child's command line on
//      stderr instead and exits 0.
// The -q file is the list owner's own configuration (as in ezmlm-idx):
// running its lines through the shell is the feature, not an injection;
// nothing from the message reaches a command line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/env.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"

namespace ezmlm::gate {

enum class Verdict { next, post, defer, moderate };

// What a query line's exit status means (step 1).
Verdict query_verdict(int exit_code);

// The commands of a -q file's lines (comments, blanks and the '|' gone).
std::vector<std::string> query_commands(const std::vector<std::string>& lines);

// The child's argv: program path, the switches it gets, DIR.
std::vector<std::string> child_argv(std::string_view program_path, bool post, const CommandLine& cl,
                                    std::string_view dir);

// The whole job; returns the exit code.
int run(const CommandLine& cl);

}  // namespace ezmlm::gate
