// mta/pop/pop3_command.cpp — see pop3_command.h.
#include "mta/pop/pop3_command.h"

#include <string.h>

#include "mta/core/netio.h"

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

void flush_quietly(net::Stream& io) {
  try {
    io.flush();
  } catch (const MailError&) {
  }
}

std::optional<Command> read_command(net::Stream& io) {
  for (;;) {
    if (io.pending_input() == 0) io.flush();
    std::optional<std::string> line;
    try {
      line = io.getline(max_line);
    } catch (const net::LineTooLong&) {
      io.skip_line();
      io.write("-ERR line too long\r\n");
      continue;
    } catch (const net::Timeout&) {
      io.write("-ERR timeout\r\n");
      flush_quietly(io);
      return std::nullopt;
    }
    if (!line) return std::nullopt;
    Parsed p = parse_command(*line);
    ::explicit_bzero(line->data(), line->size());
    if (p.command) return std::move(p.command);
    io.write(cat("-ERR ", p.error, "\r\n"));
  }
}

}  // namespace mta::pop
