#include "ezmlm/lib/manage_limit.h"

#include <fcntl.h>

#include <string>

#include "ezmlm/lib/cookie.h"
#include "mta/core/address.h"
#include "mta/core/io.h"
#include "mta/core/text.h"

namespace ezmlm {

unsigned long confirm_limit(const ListDir& dir) { return dir.number("confirmlimit").value_or(default_confirm_limit); }

bool take_confirm_slot(const ListDir& dir, std::string_view key, std::string_view target, std::time_t now) {
  const unsigned long limit = confirm_limit(dir);
  if (limit == 0) return true;
  const std::string day = std::to_string(now / 86400);
  const std::string tag = cookie(key, day, mta::address::ascii_lower(target), 'L');

  mta::io::Fd lockfd = mta::io::open_or_throw(dir.path() / "confirmcount.lock", O_RDWR | O_CREAT, 0600);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
  const auto path = dir.path() / "confirmcount";
  std::string old = mta::io::read_file(path).value_or("");

  std::string out;
  std::size_t kept = 0;
  unsigned long count = 0;
  bool found = false;
  mta::text::for_each_line(old, [&](std::size_t, std::string_view line) {
    // "<day> <tag> <count>"; anything else (or another day) is dropped.
    auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || line.substr(0, sp1) != day) return;
    auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return;
    std::string_view t = line.substr(sp1 + 1, sp2 - sp1 - 1);
    unsigned long n = 0;
    for (char c : line.substr(sp2 + 1)) {
      if (c < '0' || c > '9') return;
      if (n < 1000000) n = n * 10 + static_cast<unsigned long>(c - '0');
    }
    if (t == tag) {
      found = true;
      count = n;
      return;  // written again below
    }
    if (kept >= confirm_limit_max_targets) return;
    out.append(line).append("\n");
    ++kept;
  });
  if (count >= limit) return false;
  if (!found && kept >= confirm_limit_max_targets) return false;
  out += day + " " + tag + " " + std::to_string(count + 1) + "\n";
  mta::io::replace_file(path, out, 0600);
  return true;
}

}  // namespace ezmlm
