// ezmlm/lib/make.h — ezmlm-make: create or edit a list directory (ezmlm.md 2).
//
// ezmlm-make [-+] [-aA..zZ] [-C template] [-0..-9 arg] DIR [dot local host [code]]
//
// Create mode makes DIR (an existing DIR is a TempError, 111, as mkdir's
// failure is in ezmlm-idx), runs the template (ezmlmrc.h) with the switches,
// writes DIR/key (200 random bytes from getrandom(2): the list's secret for
// cookies) and creates the subscriber dbs of the main list, allow, deny,
// digest and mod through open_store(...).create().
//
// Edit mode (-e, or -+ which also keeps every switch that is on now) locks
// DIR/lock, recovers dot, local, host, digest code, the template path and
// the -0/-3..-9 arguments from the list (DIR/flags, else DIR/config, else
// the files dot, outlocal, ... and the flag marker files), lets the command
// line override them, keeps DIR/key, and recreates the links. Files tagged
// E are kept unless -ee/-++ is given or local/host changed.
//
// Files are replaced durably (temp, fsync, rename) — except files that end
// up empty and exist already (the lock files), which are truncated in place
// so that a process holding a lock on them keeps holding the right inode.
//
// Errors: PermError (100) for bad arguments (relative DIR or dot, a quote or
// newline in DIR, a newline in local/host, a missing template), TempError
// (111) for file-system trouble; UsageError for a missing dot/local/host.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ezmlm/lib/env.h"
#include "ezmlm/lib/options.h"

namespace ezmlm::make {

// The getopt spec of ezmlm-make.
inline constexpr std::string_view option_spec =
    "+aAbBcC:dDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ0:3:4:5:6:7:8:9:";

// Switches applied when creating (or editing without -+).
inline constexpr std::string_view default_flags = "ap";

struct Options {
  // Per letter: nullopt = not given; true/false = the last -x / -X given.
  std::array<std::optional<bool>, 26> flags{};
  std::array<std::optional<std::string>, 10> args;  // -0, -3..-9
  std::optional<std::string> template_arg;          // -C
  int edits = 0;                                    // number of -e
  int pluses = 0;                                   // number of -+
  std::string dir;
  std::vector<std::string> rest;                    // dot local host code

  bool editing() const { return edits > 0 || pluses > 0; }
};

// From a parsed command line; UsageError without DIR or with too many operands.
Options from_command_line(const CommandLine& cl);

// What an existing list says about itself (edit mode).
struct Recovered {
  std::optional<std::string> dot, local, host, code, template_path;
  std::array<std::optional<std::string>, 10> args;
  std::string flags;  // letters that are on (lowercase), as the list says
};

// Reads DIR/flags, else DIR/config, else the files and flag markers.
// with_template: read DIR/ezmlmrc / X: (not as root, not with -c).
Recovered recover(const std::string& dir, bool with_template);

// <#1#> and <#2#>: the first two dash-separated parts of the dot file's
// name after its first dash ("/h/.qmail-a-b-list" -> "a", "b").
std::pair<std::string, std::string> dot_parts(const std::string& dot);

// Runs ezmlm-make. Warnings (template version) go to stderr.
void run(const Options& options, const Env& env);

}  // namespace ezmlm::make
