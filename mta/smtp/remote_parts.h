// mta/smtp/remote_parts.h — the pieces of qmail-remote that need no network:
// the server-reply parser, the body encoder ("blast"), the route and TLS
// policy tables, and the ordering of mail exchangers (reference mta.md 9).
//
// Everything here is a value or a pure function so that unit tests and the
// fuzz target exercise it from strings. The reply parser takes outside input
// (the remote server) and caps what it keeps: a reply of more than
// max_reply_lines lines, or a line the caller's reader refused as too long,
// is a ReplyError, which qmail-remote reports as a dead connection.
#pragma once

#include <cstddef>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/dns.h"

namespace mta::remote {

// ---- server replies (RFC 5321 4.2) ----

inline constexpr std::size_t max_reply_line = 16384;  // bytes in one reply line
inline constexpr std::size_t max_reply_lines = 1000;  // lines in one reply
inline constexpr std::size_t max_reply_text = 5000;   // bytes kept for "Remote host said:" (qmail)

class ReplyError : public std::runtime_error {
 public:
  explicit ReplyError(const std::string& what) : std::runtime_error(what) {}
};

struct Reply {
  int code = 0;                    // from the first line
  std::string text;                // every line, CRs removed, NUL -> '?', '\n' after each; capped
  std::vector<std::string> lines;  // each line after "NNN-"/"NNN " (EHLO keywords live here)
};

// Feeds the lines of one reply, each without its LF (a trailing CR is
// dropped). line() returns the Reply when the line ends it, nullopt when a
// continuation line ("NNN-") says more follows. Throws ReplyError for a line
// that does not start with three digits followed by ' ', '-' or nothing,
// or for too many lines.
class ReplyParser {
 public:
  std::optional<Reply> line(std::string_view raw);

 private:
  Reply reply_;
};

// What an EHLO reply offers (keywords are case-insensitive).
struct Extensions {
  bool pipelining = false;
  bool starttls = false;
  bool smtputf8 = false;
  bool eightbitmime = false;
  bool size = false;
  unsigned long size_limit = 0;  // 0: none announced
};
Extensions parse_ehlo(const Reply& reply);

// ---- body encoding (mta.md 9.7) ----

// Streams a message into its SMTP DATA form: a '.' at the start of a line is
// doubled, LF and bare CR become CRLF, CRLF stays, and finish() adds ".\r\n".
class Blaster {
 public:
  // Appends the encoded form of `in` to `out`.
  void feed(std::string_view in, std::string& out);
  // Ends the message: appends the final ".\r\n" and returns true, or
  // returns false (appending nothing) when the last line has no end.
  bool finish(std::string& out);

 private:
  enum class State { line_start, in_line, after_cr } state_ = State::line_start;
};
// The whole encoding of a message in memory, or nullopt for a partial final line.
std::optional<std::string> blast(std::string_view message);

// ---- routes and policies ----

struct Route {
  std::string relay;  // host name or literal ("[1.2.3.4]" or "1.2.3.4"); empty: use MX
  unsigned port = 0;  // 0: the default port
};

// Looks `host` up in smtproutes lines ("domain:relay[:port]") the way qmail
// does: keys "a.b.c", ".b.c", ".c", then "" (mta.md 9.3); the last of
// duplicate keys wins. Throws std::invalid_argument for a line without ':'
// or with a bad port (qmail-remote defers: the control file is broken).
std::optional<Route> find_route(const std::vector<std::string>& lines, std::string_view host);

enum class TlsPolicy { none, opportunistic, verify };
struct TlsRule {
  TlsPolicy policy = TlsPolicy::opportunistic;
  std::string ca_file;  // "verify" only; empty: the system's CA store
};
// Looks `host` up in tlsdestinations lines ("domain:policy[:cafile]"):
// "a.b.c", ".b.c", ".c", then "*"; [literal] keys match literally.
// No match: opportunistic. Throws std::invalid_argument for a bad line.
TlsRule find_tls_rule(const std::vector<std::string>& lines, std::string_view host);

// ---- destinations (mta.md 9.4) ----

struct Destination {
  dns::IpAddress address;
  unsigned preference = 0;
  std::string name;  // the MX or relay host name ("" for a literal): TLS SNI and verification
};

// "[1.2.3.4]", "1.2.3.4", "[IPv6:::1]" or "[::1]" as an address; nullopt otherwise.
std::optional<dns::IpAddress> parse_literal(std::string_view host);

// Sorts by preference, shuffling equal preferences with `random`.
void order_mx(std::vector<dns::Mx>& mx, std::mt19937& random);

// The self check: drops every destination whose preference is not below the
// lowest preference among destinations that are this host. Returns false
// when that leaves none although there were some (the #5.4.6 case).
bool drop_self(std::vector<Destination>& dests, const std::vector<dns::IpAddress>& local_ips,
               const std::vector<std::string>& local_names);

// True if the text has a byte outside ASCII (needs SMTPUTF8).
bool needs_utf8(std::string_view text);

// The SMTP form of an internal address: <quoted local@domain>.
std::string smtp_path(std::string_view address);

}  // namespace mta::remote
