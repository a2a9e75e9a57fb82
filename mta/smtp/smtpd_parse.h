// mta/smtp/smtpd_parse.h — the parsers of qmail-smtpd's input, on bytes.
//
// Nothing here does I/O, so every rule is unit-tested from strings and
// fuzzed (tests/fuzz/fuzz_smtp_command.cpp, fuzz_smtp_data.cpp):
//   parse_command — one command line into verb and argument (reference
//                   mta.md 10.2: one trailing CR removed, a bare-LF line is
//                   fine, the verb is case-insensitive);
//   parse_path    — the MAIL/RCPT argument (10.3) and the ESMTP parameters
//                   we know (SIZE=, BODY=, SMTPUTF8);
//   DataReader    — the DATA stream (10.4): CRLF to LF, dot-unstuffing, the
//                   end marker, the bare-LF rule, the hop count and the
//                   databytes limit, in one pass over arbitrary chunks;
//   RcptHosts     — rcpthosts and morercpthosts.cdb matching with .domain
//                   wildcards; badmailfrom matching;
//   received_line — the Received field (10.5), with our TLS note.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mta::smtpd {

// --- commands ---------------------------------------------------------------

enum class Verb { helo, ehlo, mail, rcpt, data, rset, noop, vrfy, help, quit, starttls, unknown };

struct Command {
  Verb verb = Verb::unknown;
  std::string_view word;  // the verb as sent
  std::string_view arg;   // after the verb and its spaces, CR/LF removed
};

// A command line, with or without its "\r\n" or "\n". The views point into line.
Command parse_command(std::string_view line);

// --- MAIL FROM / RCPT TO ---------------------------------------------------

inline constexpr std::size_t max_path = 900;  // qmail: 900 bytes or more is a syntax error

struct Path {
  std::string address;                 // unquoted, source route dropped; "" for <>
  std::optional<std::uint64_t> size;   // SIZE=n
  bool body_8bit = false;              // BODY=8BITMIME
  bool smtputf8 = false;               // SMTPUTF8
};

// The argument of MAIL or RCPT ("FROM:<a@b> SIZE=10", or qmail's sloppy
// "<a@b>" and "a@b"). nullopt is a syntax error (555): too long, a NUL, an
// unterminated <, a SIZE= that is not a number.
std::optional<Path> parse_path(std::string_view arg);

// "box@[1.2.3.4]" with a local IP literal: the domain replaced by localiphost.
// is_local_ip decides which literals are ours.
std::string replace_ip_literal(const std::string& address, const std::string& localiphost,
                               const std::function<bool(std::string_view ip)>& is_local_ip);

// --- recipient domains ----------------------------------------------------

// rcpthosts and morercpthosts.cdb. An absent rcpthosts means NO domain is
// accepted without RELAYCLIENT (a deliberate difference: qmail then accepts
// every domain, an open relay).
class RcptHosts {
 public:
  // lines: control/rcpthosts (nullopt if absent); more: a lookup in
  // morercpthosts.cdb (may be empty; true if the key is present).
  RcptHosts(std::optional<std::vector<std::string>> lines,
            std::function<bool(std::string_view key)> more = {});
  // True if mail to `address` may be accepted without RELAYCLIENT.
  bool allows(std::string_view address) const;
  bool exists() const { return exists_; }

 private:
  bool lookup(std::string_view key) const;
  bool exists_ = false;
  std::unordered_set<std::string> keys_;  // lower-cased
  std::function<bool(std::string_view)> more_;
};

// badmailfrom: the whole address or "@domain", case-insensitively; <> never matches.
bool badmailfrom(const std::vector<std::string>& list, std::string_view sender);

// --- DATA -----------------------------------------------------------------

inline constexpr int max_hops = 100;

// Feeds the DATA stream in chunks of any size. Converted bytes are appended
// to `out` (which the caller drains into qmail-queue); once the limit is
// exceeded nothing more is appended, but the stream is read to the end.
class DataReader {
 public:
  enum class Status { more, done, bare_lf };
  // limit: databytes (0 = none).
  explicit DataReader(std::uint64_t limit = 0) : limit_(limit) {}
  // Consumes bytes of `in` up to and including the end marker, or all of
  // it. Returns how many were consumed; status() tells why it stopped.
  std::size_t feed(std::string_view in, std::string& out);
  Status status() const { return status_; }
  int hops() const { return hops_; }
  bool too_big() const { return too_big_; }
  std::uint64_t bytes() const { return bytes_; }  // as stored, counted even past the limit

 private:
  void put(char c, std::string& out);
  std::size_t put_body_run(std::string_view in, std::size_t from, std::string& out);
  enum class State { line_start, middle, cr, dot, dot_cr, start_cr };
  State state_ = State::line_start;
  Status status_ = Status::more;
  std::uint64_t limit_;
  std::uint64_t bytes_ = 0;
  bool too_big_ = false;
  // hop counting over the stored header
  bool in_header_ = true;
  std::size_t col_ = 0;     // column of the output line (up to 9)
  char head_[9] = {};       // the first 9 bytes of the current output line
  int hops_ = 0;
};

// --- the Received line ------------------------------------------------------

struct ReceivedInfo {
  std::string remote_host = "unknown";  // TCPREMOTEHOST
  std::string helo;                     // HELO/EHLO argument ("" if none)
  std::string remote_info;              // TCPREMOTEINFO ("" if unset)
  std::string remote_ip = "unknown";
  std::string local_host = "unknown";   // TCPLOCALHOST, else TCPLOCALIP
  std::string protocol = "SMTP";        // SMTP, ESMTPS, QMTP ...
  std::string tls;                      // "TLSv1.3 TLS_AES_128_GCM_SHA256", or ""
};

// Every byte outside A-Za-z0-9 .@%+/=:-[] becomes '?'.
std::string safe_received(std::string_view text);

// "Received: from H (HELO h) (ip)\n  by L with SMTP; date\n"
std::string received_line(const ReceivedInfo& info, std::string_view date);

}  // namespace mta::smtpd
