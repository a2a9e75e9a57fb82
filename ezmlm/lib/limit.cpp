// ezmlm/lib/limit.cpp — see limit.h.
#include "ezmlm/lib/limit.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <string>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace ezmlm::limit {
namespace {
using mta::cat;

std::optional<unsigned long> number(std::string_view s, std::size_t* used = nullptr) {
  unsigned long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p == s.data()) return std::nullopt;
  if (used) *used = static_cast<std::size_t>(p - s.data());
  return v;
}

}  // namespace

std::optional<Counter> parse_counter(std::string_view line) {
  std::size_t used = 0;
  auto num = number(line, &used);
  if (!num) return std::nullopt;
  Counter c;
  c.num = *num;
  if (used < line.size() && line[used] == ':')
    if (auto when = number(line.substr(used + 1))) c.when = *when;
  return c;
}

Action decide(const std::optional<Counter>& counter, unsigned long num, unsigned long now,
              unsigned long max_messages, unsigned long seconds) {
  if (!counter || counter->when > now || now - counter->when > seconds) return Action::restart;
  if (num >= counter->num && num - counter->num >= max_messages) return Action::excess;
  return Action::none;
}

int run(const CommandLine& cl, unsigned long now) {
  if (cl.operands.size() != 1) throw mta::UsageError("");  // options after DIR are a common mistake
  ListDir dir(cl.operands[0], Env::from_environ());
  bool defer = cl.last_of("dD", 'D') == 'd';
  std::string file = "loopnum";
  for (const auto& o : cl.options) {
    if (o.letter == 'f') file = *o.value;
    if (o.letter == 'F') file = "loopnum";
  }
  unsigned long max_messages = cl.number('n', 30);
  unsigned long seconds = cl.number('t', 3600);
  if (dir.flag('m')) return 0;  // already moderated

  auto lockfd = mta::io::open_or_throw(dir.path() / "lock", O_RDWR | O_CREAT, 0644);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
  unsigned long num = 0;
  if (auto line = dir.first_line("num"))
    if (auto n = number(*line)) num = *n;
  auto path = dir.path() / file;
  std::optional<Counter> counter;
  if (auto text = mta::io::read_file(path)) {
    std::string_view first(*text);
    counter = parse_counter(first.substr(0, first.find('\n')));
  }

  switch (decide(counter, num, now, max_messages, seconds)) {
    case Action::restart:
      mta::io::replace_file(path, cat(std::to_string(num), ":", std::to_string(now), "\n"));
      return 0;
    case Action::none:
      return 0;
    case Action::excess:
      break;
  }
  if (defer) throw mta::TempError(dir.message("ERR_EXCESS_DEFER"), "");
  {
    int fd = ::open((dir.path() / "modpost").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) throw mta::TempError(dir.message("ERR_WRITE", {"modpost"}), std::strerror(errno));
    mta::io::Fd modpost(fd);
  }
  ::unlink(path.c_str());
  std::cerr << "ezmlm-limit: info: " << dir.message("ERR_EXCESS_MOD") << "\n";
  return 0;
}

}  // namespace ezmlm::limit
