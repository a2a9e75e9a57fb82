// ezmlm/lib/options.h — ezmlm-idx's command-line rules (getconfopt, ezmlm.md 1.1).
//
// Every ezmlm program takes `prog [-opts] DIR [args]`: options come before
// the first operand; a lone "-" or "--" ends them (and is consumed);
// "-oVALUE" and "-o VALUE" are the same; "-abc" is "-a -b -c"; an unknown
// switch or a missing value is a usage error (exit 100). This is djb's
// getopt exactly, which is why it is not Boost: Boost treats "-" as an
// operand and cannot stop at the first operand the way ezmlm scripts expect.
//
// -v and -V (when the spec has them) print
//   "ezmlm version: ezmlm-idx-7.2.2 (Lettershop 0.1.0)"
// on stderr and end the program with exit 0, as the ezmlm test suite
// expects. run_main still answers a lone --help / --version first.
//
// Options that are also backed by a list file (a flag file such as
// `nosubconfirm`, or a value such as `digcount`) are initialised by the
// program from ListDir before applying the parsed switches left to right,
// which is getconfopt's precedence: file first, then command line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ezmlm {

struct Option {
  char letter;
  std::optional<std::string> value;  // set for letters that take an argument
};

struct CommandLine {
  std::vector<Option> options;        // in the order given
  std::vector<std::string> operands;  // DIR and the rest

  // The value of the last -letter given, or nullopt.
  std::optional<std::string> last(char letter) const;
  // True if -letter was given at least once.
  bool has(char letter) const;
  // Of a pair of letters (e.g. 'n'/'N'), the one given last, or fallback.
  char last_of(std::string_view letters, char fallback) const;
  // The last -letter as a number (number_value), or fallback if not given.
  unsigned long number(char letter, unsigned long fallback,
                       unsigned long max = static_cast<unsigned long>(-1)) const;
};

// A numeric option's value: decimal digits only, at most max; anything
// else is a usage error (exit 100) naming the switch.
unsigned long number_value(char letter, const std::optional<std::string>& value,
                           unsigned long max = static_cast<unsigned long>(-1));

// The version text after "prog version: " — "ezmlm-idx-7.2.2 (Lettershop X)".
std::string version_text();

// Parses argv[1..] against a getopt spec ("HmMnNvVh:S:t:": a letter
// followed by ':' takes a value). If the spec contains 'v' or 'V' and one of
// them is given, prints "<version_prefix> version: <version_text()>" on
// stderr and throws mta::ExitError(0). Throws mta::UsageError otherwise.
CommandLine parse_command_line(int argc, char** argv, std::string_view spec,
                               std::string_view version_prefix = "ezmlm");

}  // namespace ezmlm
