// ezmlm/lib/get_command.h — what ezmlm-get is asked to do (ezmlm.md 6.2).
//
// ezmlm-get runs from three places and tells them apart by LOCAL/DEFAULT:
//   LOCAL unset or empty       the command line (cron, a timer): a digest
//   LOCAL set, DEFAULT unset   DIR/editor, after a post: a digest
//   LOCAL set, DEFAULT ""      list-@host: not ours (exit 0, manage answers)
//   LOCAL set, DEFAULT action  DIR/manager: the action below
// Actions (case-insensitive, as qmail-local hands them over):
//   dig.CODE[f] / dig-CODE[f]  a digest, if CODE starts with the digest code
//                              (command-line argument or DIR/digestcode);
//                              at most one format letter may follow
//   digest                     the messages since the last digest (a get)
//   get[f][SEP][N[X M]]        archived messages N..M
//   index[f][SEP][N[X M]]      the subject index, in blocks of 100
//   thread[f][SEP]N            the thread of message N
// SEP is an optional '.' or '-'; X is any one character (get.1_5, get.1-5).
// Anything else is "not for us". Formats: m r x v n (get_command's
// is_format). Numbers larger than an unsigned long saturate, so a range of
// 1-999999999999999999999 is just "too many" and gets clamped.
//
// The span functions clamp a request to the archive exactly as ezmlm-get
// does (MAXGET 100 messages, index at most 2000 messages, thread +-2000).
// Everything here is pure and allocation-light: the fuzz target drives it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ezmlm::get {

inline constexpr unsigned long max_get = 100;     // MAXGET
inline constexpr unsigned long hist_get = 30;     // HISTGET: get without a number
inline constexpr unsigned long max_index = 2000;  // MAXINDEX
inline constexpr unsigned long thread_span_before = 2000;
inline constexpr unsigned long thread_span_after = 2000;

bool is_format(char c);

enum class Action { none, digest, get, index, thread };

struct Command {
  Action action = Action::none;
  char format = 0;            // 0 = the list's default
  unsigned long first = 0;    // 0 = not given
  unsigned long second = 0;   // 0 = not given
  std::string text;           // the action as the Subject shows it
};

// The manager's DEFAULT, without the dig. form (see parse_digest_trigger).
Command parse_command(std::string_view action);

enum class Trigger { not_digest, accepted, bad_code };
struct DigestTrigger {
  Trigger result = Trigger::not_digest;
  char format = 0;
};
// "dig" + '.'/'-' + code check. `code` is nullopt when neither the argument
// nor DIR/digestcode gives one (then every dig. request is a bad code).
DigestTrigger parse_digest_trigger(std::string_view action, std::optional<std::string_view> code);

struct Span {
  unsigned long from = 0, to = 0;
  bool operator==(const Span&) const = default;
};
// get: max = last archived message (> 0), dignum = last digested message.
Span get_span(unsigned long first, unsigned long second, unsigned long max, unsigned long dignum);
// index: the 100-blocks (from/100 .. to/100 are the index files to send).
Span index_span(unsigned long first, unsigned long second, unsigned long max);
// thread: nullopt when N is 0 or beyond the archive (text/get-bad).
std::optional<Span> thread_span(unsigned long n, unsigned long max);

}  // namespace ezmlm::get
