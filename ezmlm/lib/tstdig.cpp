#include "ezmlm/lib/tstdig.h"

#include <fcntl.h>

#include "ezmlm/lib/post_archive.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace ezmlm::tstdig {

namespace {

constexpr unsigned long claim_seconds = 3600;  // a digest run gets an hour to finish

unsigned long scan(std::string_view s, std::size_t& pos) {
  unsigned long n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') n = n * 10 + static_cast<unsigned long>(s[pos++] - '0');
  return n;
}

bool starts_with_ci(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i)
    if ((s[i] | 0x20) != p[i]) return false;
  return true;
}

}  // namespace

DigNum parse_dignum(std::string_view line) {
  DigNum d;
  std::size_t pos = 0;
  d.number = scan(line, pos);
  if (pos < line.size() && line[pos] == ':') {
    ++pos;
    d.size = scan(line, pos);
    if (pos < line.size() && line[pos] == ':') {
      ++pos;
      d.when = scan(line, pos);
    }
  }
  return d;
}

std::optional<DigNum> read_dignum(const ListDir& dir) {
  // Only DIR's own file: a dignum in the alt or default place is no state of this list.
  auto text = mta::io::read_file(dir.path() / "dignum");
  if (!text) return std::nullopt;
  return parse_dignum(*text);
}

std::string format_dignum(const DigNum& d) {
  return std::to_string(d.number) + ":" + std::to_string(d.size) + ":" + std::to_string(d.when) + "\n";
}

bool due(const Criteria& c, const DigNum& last, unsigned long num, unsigned long size, std::time_t now) {
  const auto t = static_cast<unsigned long>(now);
  if (c.hours && last.when + c.hours * 3600 <= t) return true;
  if (c.kbytes && last.size + (c.kbytes << 2) <= size) return true;
  if (c.msgs && last.number + c.msgs <= num) return true;
  return false;
}

int run(const ListDir& dir, const Criteria& criteria, std::time_t now) {
  auto num = post::read_num(dir.path());
  if (!num) return mta::exit_stop;
  const DigNum last = read_dignum(dir).value_or(DigNum{});

  bool editor = false;
  const Env& env = dir.env();
  if (env.local && !env.local->empty()) {
    if (env.deflt && !env.deflt->empty()) {
      if (!starts_with_ci(*env.deflt, "dig") || starts_with_ci(*env.deflt, "digest-")) return mta::exit_ok;
    } else {
      editor = true;
    }
  }
  if (!due(criteria, last, num->number, num->size, now)) return mta::exit_stop;
  if (!editor) return mta::exit_ok;

  // Claim the digest so that a second post arriving meanwhile does not
  // start another one; the claim lapses after an hour or at the next digest.
  mta::io::Fd lockfd = mta::io::open_or_throw(dir.path() / "lock", O_RDWR | O_CREAT, 0644);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
  unsigned long claimed = 0;
  if (auto text = mta::io::read_file(dir.path() / "tstdig")) {
    std::size_t pos = 0;
    claimed = scan(*text, pos);
  }
  const auto t = static_cast<unsigned long>(now);
  if (claimed + claim_seconds < t || claimed <= last.when) {
    mta::io::replace_file(dir.path() / "tstdig", std::to_string(t) + "\n", 0644);
    return mta::exit_ok;
  }
  return mta::exit_stop;
}

}  // namespace ezmlm::tstdig
