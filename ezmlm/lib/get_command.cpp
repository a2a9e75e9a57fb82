#include "ezmlm/lib/get_command.h"

#include <limits>

#include "mta/core/address.h"

namespace ezmlm::get {

namespace {

constexpr std::string_view format_letters = "mrxvn";

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && mta::address::iequals(s.substr(0, prefix.size()), prefix);
}

// scan_ulong: leading digits, saturating instead of wrapping (a wrapped
// number could turn "too big" into a small valid range).
unsigned long scan_number(std::string_view s, std::size_t& pos) {
  constexpr unsigned long top = std::numeric_limits<unsigned long>::max();
  unsigned long n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    unsigned long d = static_cast<unsigned long>(s[pos] - '0');
    n = n > (top - d) / 10 ? top : n * 10 + d;
    ++pos;
  }
  return n;
}

}  // namespace

bool is_format(char c) { return c != 0 && format_letters.find(c) != std::string_view::npos; }

Command parse_command(std::string_view action) {
  Command cmd;
  std::size_t pos = 0;
  if (mta::address::iequals(action, "digest")) {
    // list-digest@host: the messages since the last digest.
    cmd.action = Action::get;
    cmd.text = "get";
    return cmd;
  }
  if (starts_with_ci(action, "get")) {
    cmd.action = Action::get;
    pos = 3;
  } else if (starts_with_ci(action, "index")) {
    cmd.action = Action::index;
    pos = 5;
  } else if (starts_with_ci(action, "thread")) {
    cmd.action = Action::thread;
    pos = 6;
  } else {
    return cmd;
  }
  cmd.text = std::string(action);
  if (pos < action.size() && is_format(action[pos])) cmd.format = action[pos++];
  if (pos < action.size() && (action[pos] == '-' || action[pos] == '.')) ++pos;
  cmd.first = scan_number(action, pos);
  if (pos < action.size()) {
    ++pos;  // any one separator between N and M
    cmd.second = scan_number(action, pos);
  }
  return cmd;
}

DigestTrigger parse_digest_trigger(std::string_view action, std::optional<std::string_view> code) {
  DigestTrigger t;
  if (!starts_with_ci(action, "dig") || action.size() < 4 || (action[3] != '.' && action[3] != '-')) return t;
  std::string_view given = action.substr(4);
  t.result = Trigger::bad_code;
  if (!code || code->empty() || !starts_with_ci(given, *code)) return t;
  std::string_view rest = given.substr(code->size());
  // Stricter than ezmlm-idx, which ignored whatever followed the code: only
  // one format letter may follow, so "CODE" + junk is not a valid trigger.
  if (rest.size() > 1 || (rest.size() == 1 && !is_format(rest[0]))) return t;
  t.result = Trigger::accepted;
  t.format = rest.empty() ? 0 : rest[0];
  return t;
}

Span get_span(unsigned long u, unsigned long to, unsigned long max, unsigned long dignum) {
  if (u == 0 && to == 0) {  // the messages since the last digest, or the last HISTGET
    to = max;
    u = dignum;
    if (u == 0) u = max > hist_get ? max - hist_get : 1;
    if (to - u >= max_get) u = to - max_get + 1;
  } else if (u > max) {
    if (to) {  // get.999999_x: the recent ones, as above
      to = max;
      u = dignum > hist_get ? dignum - hist_get : 1;
      if (u > to) u = to;
      if (to - u >= max_get) u = to - max_get + 1;
    } else {
      u = max;
    }
  }
  if (u == 0) u = 1;
  if (to < u) to = u;
  if (to - u >= max_get) to = u + max_get - 1;
  if (to > max) to = max;
  if (u > to) u = to;
  return {u, to};
}

Span index_span(unsigned long u, unsigned long to, unsigned long max) {
  if (u == 0 && to == 0) {
    to = max;
    u = max > 100 ? max - 100 : 1;
  }
  if (u == 0) u = 1;
  if (u > max) u = max;
  if (to < u) to = u;
  if (to - u > max_index) to = u + max_index;
  if (to > max) to = max;
  return {u, to};
}

std::optional<Span> thread_span(unsigned long n, unsigned long max) {
  if (n == 0 || n > max) return std::nullopt;
  Span s;
  s.from = n > thread_span_before ? n - thread_span_before : 1;
  s.to = max - n < thread_span_after ? max : n + thread_span_after;
  return s;
}

}  // namespace ezmlm::get
