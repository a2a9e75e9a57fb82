// ezmlm/lib/getconf.h — parsers for the plain list files (ezmlm.md 1.1).
//
// These work on text already read (ListDir does the three-place lookup), so
// they are unit-tested and fuzzed without files:
//   getconf_lines   "line list" files: split on '\n', trailing blanks and
//                   tabs removed, empty lines and '#' lines dropped;
//   flags_from_line the first line of DIR/flags, or the F: value of
//                   DIR/config: lowercase letter = on, uppercase = off;
//   config_flags    finds the "F:" line of DIR/config;
//   parse_messages  text/messages entries "NAME:text" (later entries of one
//                   file win; '#' and blank lines skipped; a line without
//                   ':' is ignored).
// Nothing here throws for bad input: files written by hand are sloppy, and
// ezmlm-idx ignores what it cannot use.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ezmlm {

std::vector<std::string> getconf_lines(std::string_view text);

// The first surviving line of getconf_lines, or nullopt.
std::optional<std::string> getconf_first(std::string_view text);

// State of the 26 letter flags as given by a flags string: for each letter
// 'a'..'z', nullopt when the string does not mention it.
using LetterFlags = std::array<std::optional<bool>, 26>;
LetterFlags flags_from_line(std::string_view letters);

// The value after "F:" on the first such line of a DIR/config file.
std::optional<std::string> config_flags(std::string_view config_text);

// NAME -> text; the text keeps everything after the first ':' (no trimming
// but the trailing blanks/tabs).
std::map<std::string, std::string, std::less<>> parse_messages(std::string_view text);

}  // namespace ezmlm
