// ezmlm/lib/limit.h — ezmlm-limit: turn a list moderated (or defer posts)
// when too many messages arrive in a short time (ezmlm.md 3.2).
//
// ezmlm-limit [-dDF] [-f file] [-t secs] [-n msgs] DIR
// Run from the editor before ezmlm-send. Under DIR/lock it compares the
// list's message number (DIR/num, 0 when the list has sent nothing) with
// the counter file (DIR/loopnum, or -f file; -F back to loopnum), a line
// "num:time" written when counting started:
//   - no counter, an unreadable line, counting started more than secs ago
//     (-t, default 3600) or in the future -> a new counter "num:now";
//   - num >= counter num + msgs (-n, default 30) -> too many: create
//     DIR/modpost and remove the counter (exit 0, info ERR_EXCESS_MOD), or
//     with -d exit 111 (ERR_EXCESS_DEFER) so qmail retries later;
//   - otherwise nothing.
// A list that is already moderated (modpost) exits 0 at once.
#pragma once

#include <optional>
#include <string_view>

namespace ezmlm::limit {

struct Counter {
  unsigned long num = 0;   // DIR/num when counting started
  unsigned long when = 0;  // unix time when counting started
};

// "num:when" (when may be missing: 0); nullopt when num is not a number.
std::optional<Counter> parse_counter(std::string_view line);

enum class Action { restart, none, excess };

Action decide(const std::optional<Counter>& counter, unsigned long num, unsigned long now,
              unsigned long max_messages, unsigned long seconds);

}  // namespace ezmlm::limit

namespace ezmlm {
struct CommandLine;
}

namespace ezmlm::limit {
// The whole job; returns the exit code.
int run(const CommandLine& cl, unsigned long now);
}  // namespace ezmlm::limit
