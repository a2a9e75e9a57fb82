// mta/core/text.h — small string_view helpers every parser of files and
// header values needs: trimming a set of blank characters, and walking the
// lines of a file held in memory. One copy here instead of one per module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mta::text {

inline constexpr std::string_view blanks = " \t";            // within a line
inline constexpr std::string_view whitespace = " \t\r\n";    // also line ends

inline std::string_view trim_left(std::string_view s, std::string_view set = whitespace) {
  std::size_t k = s.find_first_not_of(set);
  return k == std::string_view::npos ? std::string_view() : s.substr(k);
}

inline std::string_view trim_right(std::string_view s, std::string_view set = whitespace) {
  std::size_t k = s.find_last_not_of(set);
  return k == std::string_view::npos ? std::string_view() : s.substr(0, k + 1);
}

inline std::string_view trim(std::string_view s, std::string_view set = whitespace) {
  return trim_right(trim_left(s, set), set);
}

// Calls f(number, line) for each line of contents (numbered from 1, without
// its "\n"; a last line without "\n" counts, an empty tail does not).
template <typename F>
void for_each_line(std::string_view contents, F&& f) {
  std::size_t number = 0;
  while (!contents.empty()) {
    std::size_t nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);
    contents.remove_prefix(nl == std::string_view::npos ? contents.size() : nl + 1);
    f(++number, line);
  }
}

// One line of text for a header or a log: every run of white space and
// control characters (line breaks, NUL, DEL ...) becomes one space, none
// is left at either end.
inline std::string one_line(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace mta::text
