// mta/pop/pop3_command.cpp — see pop3_command.h.
#include "mta/pop/pop3_command.h"

namespace mta::pop {

Parsed parse_command(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // A NUL would have truncated the line in qmail; refusing it is safer than
  // guessing which half the client meant.
  if (line.find('\0') != std::string_view::npos) return {std::nullopt, "syntax error"};
  const std::size_t space = line.find(' ');
  std::string_view verb = line.substr(0, space);
  std::string_view arg;
  if (space != std::string_view::npos) {
    arg = line.substr(space);
    arg.remove_prefix(std::min(arg.find_first_not_of(' '), arg.size()));
  }
  Command c;
  c.verb.reserve(verb.size());
  for (char ch : verb) c.verb.push_back(ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch);
  c.arg = std::string(arg);
  return {std::move(c), {}};
}

std::optional<unsigned long> parse_number(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  unsigned long n = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned long>(ch - '0');
  }
  return n;
}

}  // namespace mta::pop
