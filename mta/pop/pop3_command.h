// mta/pop/pop3_command.h — one POP3 command line, parsed (RFC 1939, 2449).
//
// qmail-popup and qmail-pop3d read commands the same way, and the same way
// qmail's commands.c did: the line ends at "\n", one "\r" before it is
// dropped, the verb is the text before the first space (compared without
// regard to case), the argument is what follows once the spaces after the
// verb are skipped. Unlike qmail, which read lines of any length and cut
// them at the first NUL byte:
//   - a NUL byte anywhere makes the whole line a syntax error, so that
//     "USER bob\0x" can never become "USER bob";
//   - a line longer than max_line bytes (with its CRLF) is refused with
//     "-ERR line too long" and skipped without being stored (Stream::skip_line).
// RFC 2449 allows 255 octets for a command; max_line is larger so that long
// passwords still fit, and small enough that a client cannot make us hold
// more than a few KB.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mta::net {
class Stream;
}

namespace mta::pop {

inline constexpr std::size_t max_line = 1024;

struct Command {
  std::string verb;  // upper-cased ASCII, may be empty for a blank line
  std::string arg;   // everything after the verb and its spaces
  bool operator==(const Command&) const = default;
};

struct Parsed {
  std::optional<Command> command;
  std::string_view error;  // set when command is nullopt: the -ERR text
};

// line as read, with or without its "\n".
Parsed parse_command(std::string_view line);

// "123" -> 123: digits only, no sign, no spaces, at most 9 digits (a POP3
// message number or TOP line count). nullopt for anything else.
std::optional<unsigned long> parse_number(std::string_view text);

// The command loop's reading, shared by qmail-popup and qmail-pop3d:
// flushes the replies when no more input is buffered (pipelining), reads a
// line, answers over-long and malformed lines with -ERR itself and reads on.
// nullopt at end of input, or after a read timeout, which it answers with
// "-ERR timeout" (flushed if the client still listens). The raw line is
// wiped: it may hold a password.
std::optional<Command> read_command(net::Stream& io);

// Flushes io, ignoring a client that has gone away.
void flush_quietly(net::Stream& io);

}  // namespace mta::pop
