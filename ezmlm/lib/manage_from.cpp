#include "ezmlm/lib/manage_from.h"

#include <fcntl.h>

#include <vector>

#include "ezmlm/lib/cookie_addr.h"
#include "mta/core/address.h"
#include "mta/core/io.h"
#include "mta/core/text.h"

namespace ezmlm {

namespace {

struct Entry {
  std::time_t when = 0;
  std::string address;
  std::string from;
};

std::vector<Entry> read_entries(const ListDir& dir, std::time_t now) {
  std::vector<Entry> out;
  std::string text = mta::io::read_file(dir.path() / "from").value_or("");
  mta::text::for_each_line(text, [&](std::size_t, std::string_view line) {
    auto sp = line.find(' ');
    auto nul = line.find('\0');
    if (sp == std::string_view::npos || nul == std::string_view::npos || nul < sp) return;
    Entry e;
    for (char c : line.substr(0, sp)) {
      if (c < '0' || c > '9') return;
      e.when = e.when * 10 + (c - '0');
    }
    if (e.when > now || now - e.when > confirm_validity) return;
    e.address = std::string(line.substr(sp + 1, nul - sp - 1));
    e.from = std::string(line.substr(nul + 1));
    out.push_back(std::move(e));
  });
  return out;
}

}  // namespace

void remember_from(const ListDir& dir, std::string_view address, std::string_view from, std::time_t now) {
  std::string clean(from);
  for (char& c : clean)
    if (c == '\n' || c == '\0' || c == '\r') c = ' ';
  std::string addr(address);
  for (char& c : addr)
    if (c == '\n' || c == '\0' || c == ' ') c = '?';
  mta::io::Fd lockfd = mta::io::open_or_throw(dir.path() / "lock", O_RDWR | O_CREAT, 0644);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
  auto entries = read_entries(dir, now);
  entries.push_back(Entry{now, addr, clean});
  std::vector<std::string> lines;
  std::size_t total = 0;
  // Newest first until the cap, then written oldest first.
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    std::string l = std::to_string(it->when) + " " + it->address;
    l.push_back('\0');
    l += it->from + "\n";
    if (total + l.size() > from_file_max_bytes) break;
    total += l.size();
    lines.push_back(std::move(l));
  }
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) out += *it;
  mta::io::replace_file(dir.path() / "from", out, 0600);
}

std::string recall_from(const ListDir& dir, std::string_view address, std::time_t now) {
  std::string found;
  for (const auto& e : read_entries(dir, now))
    if (mta::address::iequals(e.address, address)) found = e.from;
  return found;
}

}  // namespace ezmlm
