#include "ezmlm/lib/post_threads.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <set>
#include <unordered_map>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/post_archive.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace ezmlm::post {

namespace {

constexpr std::size_t hash_len = 20;

// Reads a decimal number at the front of s; advances s past it.
bool take_number(std::string_view& s, unsigned long& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(p - s.data()));
  return true;
}

bool take(std::string_view& s, std::string_view what) {
  if (s.substr(0, what.size()) != what) return false;
  s.remove_prefix(what.size());
  return true;
}

// Splits text into lines without their '\n'; a last line without one is
// dropped (a file cut short by a crash ends there).
template <typename F>
void each_line(std::string_view text, F&& f) {
  while (true) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return;
    f(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
}

// The number a "N:..." line starts with, or nullopt.
std::optional<unsigned long> leading_number(std::string_view line) {
  unsigned long n = 0;
  if (!take_number(line, n) || !take(line, ":")) return std::nullopt;
  return n;
}

}  // namespace

bool valid_hash(std::string_view s) {
  return s.size() == hash_len && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'p'; });
}

std::vector<IndexRecord> parse_index(std::string_view text, unsigned& bad) {
  std::vector<IndexRecord> out;
  std::optional<IndexRecord> pending;  // a subject line waiting for its tab line
  auto drop_pending = [&] {
    if (pending) ++bad;
    pending.reset();
  };
  each_line(text, [&](std::string_view line) {
    if (!line.empty() && line[0] == '\t') {
      if (!pending) return void(++bad);
      line.remove_prefix(1);
      // The first ';': the date has none (it is what follows the ';' of a
      // Received field), an author's name may.
      auto semi = line.find(';');
      if (semi == std::string_view::npos) return drop_pending();
      pending->date = std::string(line.substr(0, semi));
      std::string_view auth = line.substr(semi + 1);
      if (!auth.empty()) {
        std::string_view hash = auth.substr(0, hash_len);
        if (!valid_hash(hash) || (auth.size() > hash_len && auth[hash_len] != ' ')) return drop_pending();
        pending->authhash = std::string(hash);
        pending->author = std::string(auth.size() > hash_len ? auth.substr(hash_len + 1) : std::string_view());
      }
      out.push_back(std::move(*pending));
      pending.reset();
      return;
    }
    drop_pending();
    IndexRecord r;
    if (!take_number(line, r.number) || !take(line, ": ")) return void(++bad);
    std::string_view hash = line.substr(0, hash_len);
    if (!valid_hash(hash) || (line.size() > hash_len && line[hash_len] != ' ')) return void(++bad);
    r.subjhash = std::string(hash);
    r.subject = std::string(line.size() > hash_len ? line.substr(hash_len + 1) : std::string_view());
    pending = std::move(r);
  });
  drop_pending();
  return out;
}

unsigned yyyymm_of(std::string_view date) {
  static constexpr std::string_view months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                "jul", "aug", "sep", "oct", "nov", "dec"};
  auto skip_space = [&] {
    while (!date.empty() && (date[0] == ' ' || date[0] == '\t')) date.remove_prefix(1);
  };
  skip_space();
  if (auto comma = date.find(','); comma != std::string_view::npos && comma < 10) {
    date.remove_prefix(comma + 1);
    skip_space();
  }
  unsigned long day = 0, year = 0;
  if (!take_number(date, day) || day == 0 || day > 31) return 0;
  skip_space();
  if (date.size() < 3) return 0;
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i) {
    bool same = true;
    for (unsigned j = 0; j < 3; ++j)
      if ((date[j] | 0x20) != months[i][j]) same = false;
    if (same) month = i + 1;
  }
  if (month == 0) return 0;
  date.remove_prefix(3);
  skip_space();
  std::string_view digits = date;
  if (!take_number(date, year)) return 0;
  std::size_t len = digits.size() - date.size();
  if (len == 2) year += year < 70 ? 2000 : 1900;  // RFC 822's two-digit years
  else if (len == 3) year += 1900;                 // RFC 2822 4.3
  if (year < 1970 || year > 9999) return 0;
  return static_cast<unsigned>(year * 100 + month);
}

std::string thread_file(std::string_view old, unsigned long from, std::vector<ThreadLine> fresh, unsigned& bad) {
  std::unordered_map<std::string_view, ThreadLine*> by_hash;
  for (auto& t : fresh) by_hash.emplace(t.subjhash, &t);
  std::string out;
  each_line(old, [&](std::string_view line) {
    auto n = leading_number(line);
    if (!n) return void(++bad);
    if (*n >= from) return;  // made again below
    std::string_view rest = line.substr(line.find(':') + 1);
    std::string_view hash = rest.substr(0, hash_len);
    unsigned long count = 0;
    rest.remove_prefix(hash.size());
    if (!valid_hash(hash) || !take(rest, " [") || !take_number(rest, count) || !take(rest, "]")) return void(++bad);
    if (auto it = by_hash.find(hash); it != by_hash.end()) {
      it->second->count += count;  // the thread goes on this month
      return;
    }
    out.append(line);
    out += '\n';
  });
  for (const auto& t : fresh) {
    out += std::to_string(t.last);
    out += ':';
    out += t.subjhash;
    out += " [";
    out += std::to_string(t.count);
    out += "] ";
    out += t.subject;
    out += '\n';
  }
  return out;
}

std::string key_file(std::string_view old, std::string_view first_line, unsigned long from,
                     std::string_view entries, unsigned& bad) {
  std::string out;
  bool first = true;
  each_line(old, [&](std::string_view line) {
    if (first) {
      first = false;
      if (!valid_hash(line.substr(0, hash_len)) || line.size() <= hash_len || line[hash_len] != ' ') ++bad;
      out.append(line);
      out += '\n';
      return;
    }
    auto n = leading_number(line);
    if (!n) return void(++bad);
    if (*n >= from) return;
    out.append(line);
    out += '\n';
  });
  if (first) {
    out.append(first_line);
    out += '\n';
  }
  out.append(entries);
  return out;
}

namespace {

// Replaces path by contents through "<path>n"; fsync only when asked
// (a rebuild with -c/-f/-t skips it for speed, as ezmlm-archive does).
void replace(const fs::path& path, std::string_view contents, bool sync) {
  fs::path temp = path;
  temp += "n";
  {
    mta::io::Fd fd = mta::io::open_or_throw(temp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    mta::io::write_all(fd.get(), contents);
    if (sync) mta::io::fsync_or_throw(fd.get(), temp.string());
    fd.close();
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) mta::throw_errno(mta::cat("unable to move ", temp.string()));
  if (sync) mta::io::fsync_dir(path.parent_path());
}

void make_dir(const fs::path& p) {
  if (::mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) mta::throw_errno(mta::cat("unable to create ", p.string()));
}

std::string read_or_empty(const fs::path& p) { return mta::io::read_file(p).value_or(std::string()); }

// archive/<kind>/HH/REST for a hash.
fs::path key_path(const fs::path& dir, std::string_view kind, std::string_view hash) {
  fs::path sub = dir / "archive" / std::string(kind) / std::string(hash.substr(0, 2));
  make_dir(sub);
  return sub / std::string(hash.substr(2));
}

struct Thread {
  std::string subject;
  unsigned long first = 0, last = 0, count = 0;
  unsigned first_month = 0, last_month = 0;
  std::string entries;  // for the subject file
};

struct AuthorEntry {
  std::string author;
  std::string entries;  // for the author file
};

// The month of each record: its own date, else the one before it (the
// archive is in arrival order), else the first readable one, else now.
std::vector<unsigned> months_of(const std::vector<IndexRecord>& records) {
  std::vector<unsigned> m(records.size());
  unsigned last = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    m[i] = yyyymm_of(records[i].date);
    if (m[i] == 0) m[i] = last;
    last = m[i];
  }
  unsigned first = 0;
  for (unsigned v : m)
    if (v) { first = v; break; }
  if (first == 0) {
    std::time_t now = std::time(nullptr);
    std::tm tm {};
    ::gmtime_r(&now, &tm);
    first = static_cast<unsigned>((tm.tm_year + 1900) * 100 + tm.tm_mon + 1);
  }
  for (auto& v : m)
    if (v == 0) v = first;
  return m;
}

}  // namespace

ArchiveResult run_archive(const ListDir& dir, const ArchiveOptions& o) {
  const fs::path& d = dir.path();
  ArchiveResult result;
  Num num;
  {
    // DIR/lock: no ezmlm-send is half way through, so num is final.
    mta::io::Fd lockfd = mta::io::open_or_throw(d / "lock", O_RDWR | O_CREAT, 0644);
    auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
    num = read_num(d).value_or(Num{});
  }
  if (num.number == 0) {
    result.empty = true;
    return result;
  }
  unsigned long to = (o.to && o.to < num.number) ? o.to : num.number;
  mta::io::Fd lockfd = mta::io::open_or_throw(d / "archive" / "lock", O_RDWR | O_CREAT, 0644);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
  unsigned long from = (o.from / 100) * 100;
  if (!o.create && from == 0) {
    auto an = dir.first_line("archnum");
    unsigned long v = 0;
    if (an && !an->empty() && std::from_chars(an->data(), an->data() + an->size(), v).ec == std::errc())
      from = v + 1;
  }
  result.from = from;
  result.to = to;
  if (from > to) return result;  // nothing new
  const bool sync = o.sync_always || !(o.create || o.from || o.to);

  for (const char* sub : {"threads", "subjects", "authors"}) make_dir(d / "archive" / sub);

  // The records FROM..TO, one index file (100 messages) at a time.
  std::vector<IndexRecord> records;
  for (unsigned long hundred = from / 100; hundred <= to / 100; ++hundred) {
    std::string text = read_or_empty(d / "archive" / std::to_string(hundred) / "index");
    for (auto& r : parse_index(text, result.bad))
      if (r.number >= from && r.number <= to && r.number / 100 == hundred) records.push_back(std::move(r));
  }
  std::stable_sort(records.begin(), records.end(),
                   [](const IndexRecord& a, const IndexRecord& b) { return a.number < b.number; });
  std::vector<unsigned> months = months_of(records);

  // Threads in order of first message; authors keyed by hash.
  std::vector<Thread> threads;
  std::unordered_map<std::string, std::size_t> thread_of;
  std::map<std::string, AuthorEntry> authors;
  std::set<unsigned> month_set;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const IndexRecord& r = records[i];
    const std::string ym = std::to_string(months[i]);
    month_set.insert(months[i]);
    auto [it, is_new] = thread_of.emplace(r.subjhash, threads.size());
    if (is_new) {
      threads.push_back({r.subject, r.number, r.number, 0, months[i], months[i], {}});
    }
    Thread& t = threads[it->second];
    t.last = r.number;
    ++t.count;
    t.first_month = std::min(t.first_month, months[i]);
    t.last_month = std::max(t.last_month, months[i]);
    t.entries += std::to_string(r.number) + ":" + ym + ":";
    t.entries += r.authhash.empty() ? std::string() : r.authhash + " " + r.author;
    t.entries += '\n';
    if (!r.authhash.empty()) {
      AuthorEntry& a = authors[r.authhash];
      if (a.entries.empty()) a.author = r.author;
      a.entries += std::to_string(r.number) + ":" + ym + ":" + r.subjhash + " " + r.subject + "\n";
    }
  }

  for (unsigned month : month_set) {
    std::vector<ThreadLine> fresh;
    for (const auto& [hash, index] : thread_of) {
      const Thread& t = threads[index];
      if (t.first_month <= month && month <= t.last_month) fresh.push_back({t.last, hash, t.subject, t.count});
    }
    std::sort(fresh.begin(), fresh.end(), [&](const ThreadLine& a, const ThreadLine& b) {
      return threads[thread_of[a.subjhash]].first < threads[thread_of[b.subjhash]].first;
    });
    fs::path file = d / "archive" / "threads" / std::to_string(month);
    replace(file, thread_file(read_or_empty(file), from, std::move(fresh), result.bad), sync);
  }
  for (const auto& [hash, index] : thread_of) {
    const Thread& t = threads[index];
    fs::path file = key_path(d, "subjects", hash);
    replace(file, key_file(read_or_empty(file), hash + " " + t.subject, from, t.entries, result.bad), sync);
  }
  for (const auto& [hash, a] : authors) {
    fs::path file = key_path(d, "authors", hash);
    replace(file, key_file(read_or_empty(file), hash + " " + a.author, from, a.entries, result.bad), sync);
  }
  // archnum last: a crash before it only means the next run does this again.
  replace(d / "archnum", std::to_string(to) + "\n", sync);
  return result;
}

}  // namespace ezmlm::post
