// The std subscriber store, compatible with ezmlm-idx's sub-std (ezmlm.md 1.3).
//
// Buckets are never loaded whole: every pass streams a bucket record by
// record ("T" address NUL), so a lookup holds one record and a batch change
// holds the batch, however long the list is.
#include "ezmlm/lib/subdb.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include "ezmlm/lib/hash.h"
#include "ezmlm/lib/subdb_sql.h"
#include "ezmlm/lib/texts.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace ezmlm {

namespace io = mta::io;
using mta::address::ascii_lower;

SubscriberStore::~SubscriberStore() = default;

void SubscriberStore::for_each_record(const std::function<void(std::string_view)>& f) {
  std::string run;
  for_each([&](std::string_view address) {
    run += 'T';
    run += address;
    run += '\0';
    if (run.size() >= 65536) {
      f(run);
      run.clear();
    }
    return true;
  });
  if (!run.empty()) f(run);
}

std::size_t SubscriberStore::add_batch(const std::vector<Subscription>& subs, std::string_view tag) {
  std::size_t n = 0;
  for (const auto& s : subs) n += add(s.address, tag, s.comment) ? 1 : 0;
  return n;
}

std::size_t SubscriberStore::remove_batch(const std::vector<Subscription>& subs, std::string_view tag) {
  std::size_t n = 0;
  for (const auto& s : subs) n += remove(s.address, tag, s.comment) ? 1 : 0;
  return n;
}

namespace {
// Whether the bytes are well-formed UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s) {
  for (std::size_t k = 0; k < s.size();) {
    auto c = static_cast<unsigned char>(s[k]);
    std::size_t n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
    if (n == 9 || n >= s.size() - k) return false;  // a bad lead byte, or cut short
    std::uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1f) : n == 2 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t j = 1; j <= n; ++j) {
      auto d = static_cast<unsigned char>(s[k + j]);
      if ((d >> 6) != 2) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    k += n + 1;
  }
  return true;
}
}  // namespace

void check_address(std::string_view address, const ListDir* dir, bool for_adding) {
  const char* key = nullptr;
  const std::size_t limit = for_adding ? max_new_address_bytes : max_address_bytes;
  if (address.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos) key = "ERR_ADDR_NL";
  else if (address.size() > limit) key = "ERR_ADDR_LONG";
  else if (address.find('@') == std::string_view::npos) key = "ERR_ADDR_AT";
  else if (for_adding && !valid_utf8(address)) key = "ERR_ADDR_8BIT";
  if (!key) return;
  std::string shown(address.substr(0, 60));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 32 || c == 127) c = '?';
  if (address.size() > 60) shown += "...";
  std::string text = dir ? dir->message(key) : std::string(fallback_message(key));
  auto [reason, dsn] = split_dsn(text);
  throw BadAddress(mta::cat(reason, ": ", shown), dsn);
}

std::string stored_form(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address);
  return mta::cat(address.substr(0, at + 1), ascii_lower(address.substr(at + 1)));
}

namespace {

// What goes into a Log line: non-printables as '?', tabs in comments as spaces.
std::string log_safe(std::string_view s, bool comment) {
  std::string out(s);
  for (char& c : out) {
    if (comment && c == '\t') c = ' ';
    else if (static_cast<unsigned char>(c) < 32 || c == 127) c = '?';
  }
  return out;
}

// Calls f(address) for every "T" record of a bucket; absent file = empty.
// f returns false to stop. Records of other kinds are passed as is with
// is_address false (only the copy cares about them).
template <typename F>
void scan_bucket(const fs::path& file, F f) {
  io::Fd fd = io::open_if_exists(file, O_RDONLY);
  if (!fd) return;
  io::Reader in(fd.get());
  std::string rec;
  for (;;) {
    auto got = in.getline(rec, '\0');
    if (got == io::Reader::Got::nothing) break;
    if (!f(std::string_view(rec))) break;
    if (got == io::Reader::Got::partial) break;
  }
}

// A read buffer that is not zero-filled (std::string's resize would clear
// every byte of it on each refill).
struct RawBuffer {
  std::unique_ptr<char[]> data;
  std::size_t size = 0;
  // Room for at least `want` more bytes after the first `keep`.
  void reserve(std::size_t keep, std::size_t want) {
    if (size - keep >= want) return;
    std::size_t bigger = std::max(size * 2, keep + want);
    std::unique_ptr<char[]> fresh(new char[bigger]);
    if (keep) std::memcpy(fresh.get(), data.get(), keep);
    data = std::move(fresh);
    size = bigger;
  }
};

// Hands f the runs of whole "T" records in `v` (records of other kinds and
// empty ones left out, as for_each does); returns the length of the whole
// records, the rest being the start of one that continues.
std::size_t pass_record_runs(std::string_view v, const std::function<void(std::string_view)>& f) {
  std::size_t pos = 0, run = 0;
  while (pos < v.size()) {
    const void* nul = std::memchr(v.data() + pos, '\0', v.size() - pos);
    if (!nul) break;
    std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nul) - v.data());
    if (end == pos || v[pos] != 'T') {
      if (pos > run) f(v.substr(run, pos - run));
      run = end + 1;
    }
    pos = end + 1;
  }
  if (pos > run) f(v.substr(run, pos - run));
  return pos;
}

// read_records - a bucket file in reads of `read_size` into one buffer, no
// copy per address. Each read's records go to f, which returns how many
// bytes of whole records it took (the rest, the start of a record that
// continues, is kept for the next read) or `stop_reading`. A last record
// without its NUL (a file cut short) is passed with one.
constexpr std::size_t stop_reading = std::string_view::npos;
template <typename F>
void read_records(const fs::path& file, RawBuffer& buf, std::size_t read_size, F f) {
  io::Fd fd = io::open_if_exists(file, O_RDONLY);
  if (!fd) return;
  io::Reader in(fd.get());
  std::size_t have = 0;  // the start of a record carried over from the last read
  for (;;) {
    buf.reserve(have, read_size);
    std::size_t n = in.read(buf.data.get() + have, buf.size - have);  // >= 16 KB: not buffered twice
    if (n == 0) break;
    std::size_t end = have + n;
    std::size_t done = f(std::string_view(buf.data.get(), end));
    if (done == stop_reading) return;
    std::memmove(buf.data.get(), buf.data.get() + done, end - done);
    have = end - done;
  }
  if (have) f(std::string(buf.data.get(), have) + '\0');
}

// scan_bucket for whole runs of "T" records: 256 KB reads.
void scan_bucket_records(const fs::path& file, RawBuffer& buf, const std::function<void(std::string_view)>& f) {
  read_records(file, buf, 256 * 1024, [&f](std::string_view v) { return pass_record_runs(v, f); });
}

// bucket_has_key - whether the bucket file holds "T" + key, the address
// compared without regard to case (as ezmlm does), reading stops at the
// match. Reads of 16 KB (a short-lived lookup should touch few pages):
// memchr finds each record's end, and only records of the key's length
// are compared.
bool bucket_has_key(const fs::path& file, std::string_view key, RawBuffer& buf) {
  bool found = false;
  read_records(file, buf, 16 * 1024, [&](std::string_view v) {
    std::size_t pos = 0;
    while (pos < v.size()) {
      const void* nul = std::memchr(v.data() + pos, '\0', v.size() - pos);
      if (!nul) break;
      std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nul) - v.data());
      if (end - pos == key.size() + 1 && v[pos] == 'T' && mta::address::iequals(v.substr(pos + 1, key.size()), key)) {
        found = true;
        return stop_reading;
      }
      pos = end + 1;
    }
    return pos;
  });
  return found;
}

class StdStore : public SubscriberStore {
 public:
  StdStore(const ListDir& dir, fs::path base, const StoreOptions& o)
      : dir_(dir), base_(std::move(base)), subs_(base_ / "subscribers") {
    if (o.forcehash && *o.forcehash >= 0 && *o.forcehash < bucket_count)
      forced_ = static_cast<char>('@' + *o.forcehash);
    clock_ = o.clock;
  }

  bool contains(std::string_view address) override {
    RawBuffer buf;  // one read buffer for every bucket looked at
    std::string key = ascii_lower(address);
    for (char l : candidates(address))
      if (bucket_has(l, key, buf)) return true;
    // The "@domain" wildcard, after the exact address.
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0) return false;
    std::string wild = ascii_lower(address.substr(at));
    for (char l : candidates(wild))
      if (bucket_has(l, wild, buf)) return true;
    return false;
  }

  bool add(std::string_view address, std::string_view tag, std::string_view comment) override {
    return add_batch({{std::string(address), std::string(comment)}}, tag) == 1;
  }
  bool remove(std::string_view address, std::string_view tag, std::string_view comment) override {
    return remove_batch({{std::string(address), std::string(comment)}}, tag) == 1;
  }

  std::size_t add_batch(const std::vector<Subscription>& subs, std::string_view tag) override;
  std::size_t remove_batch(const std::vector<Subscription>& subs, std::string_view tag) override;

  void for_each(const std::function<bool(std::string_view)>& f) override {
    bool go = true;
    for (int i = 0; i < bucket_count && go; ++i) {
      scan_bucket(subs_ / std::string(1, char('@' + i)), [&](std::string_view rec) {
        if (rec.empty() || rec[0] != 'T') return true;
        go = f(rec.substr(1));
        return go;
      });
    }
  }

  void for_each_record(const std::function<void(std::string_view)>& f) override {
    RawBuffer buf;
    for (int i = 0; i < bucket_count; ++i) scan_bucket_records(subs_ / std::string(1, char('@' + i)), buf, f);
  }

  void create() override {
    std::error_code ec;
    fs::create_directories(subs_, ec);
    if (ec) throw mta::TempError(mta::cat("unable to create ", subs_.string(), ": ", ec.message()));
  }

  void destroy() override {
    std::error_code ec;
    fs::remove_all(subs_, ec);
    if (ec) throw mta::TempError(mta::cat("unable to remove ", subs_.string(), ": ", ec.message()));
  }

 private:
  // Buckets an address may live in: 7.x over the lowercased address (where
  // we write), 7.x "case-sensitive" (domain lowercased only), and the same
  // two by the legacy 32-bit hash; plus a forced bucket. No duplicates.
  std::vector<char> candidates(std::string_view address) const {
    std::string lower = ascii_lower(address);
    std::string cs = stored_form(address);
    std::vector<char> out;
    auto put = [&](char c) {
      for (char o : out)
        if (o == c) return;
      out.push_back(c);
    };
    if (forced_) put(forced_);
    put(letter_7x(lower));
    put(letter_7x(cs));
    put(letter_legacy(lower));
    put(letter_legacy(cs));
    return out;
  }
  char primary(std::string_view address) const {
    return forced_ ? forced_ : letter_7x(ascii_lower(address));
  }

  bool bucket_has(char letter, std::string_view key, RawBuffer& buf) {
    return bucket_has_key(subs_ / std::string(1, letter), key, buf);
  }

  io::Fd lock() {
    io::Fd fd = io::open_or_throw(base_ / "lock", O_WRONLY | O_CREAT | O_APPEND, 0644);
    return fd;
  }

  // A bucket copy written but not yet committed.
  struct Pending {
    io::Fd fd;
    fs::path tmp, file;
  };
  // Copies bucket `letter` to "<letter>n" minus the records `drop` says,
  // plus `append`, and starts its write-back. Returns the number dropped;
  // the copy joins `pending` when anything changed (else it is removed).
  std::size_t rewrite(char letter, const std::function<bool(std::string_view)>& drop,
                      const std::vector<std::string>& append, std::vector<Pending>& pending);
  // fsync every copy, rename each over its bucket, fsync the directory.
  void commit(std::vector<Pending>& pending);
  void write_log(const std::vector<std::pair<std::string, std::string>>& changed, char sign,
                 std::string_view tag);

  ListDir dir_;  // a copy: the store may outlive the caller's ListDir
  fs::path base_;
  fs::path subs_;
  char forced_ = 0;
  std::time_t (*clock_)() = nullptr;
};

std::size_t StdStore::rewrite(char letter, const std::function<bool(std::string_view)>& drop,
                              const std::vector<std::string>& append, std::vector<Pending>& pending) {
  fs::path file = subs_ / std::string(1, letter);
  fs::path tmp = subs_ / mta::cat(std::string(1, letter), "n");
  io::Fd out = io::open_or_throw(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  io::Writer w(out.get(), 65536);
  std::size_t dropped = 0;
  scan_bucket(file, [&](std::string_view rec) {
    if (!rec.empty() && rec[0] == 'T' && drop(rec.substr(1))) {
      ++dropped;
      return true;
    }
    w.write(rec);
    w.put('\0');
    return true;
  });
  if (dropped == 0 && append.empty()) {
    out.close();
    ::unlink(tmp.c_str());
    return 0;
  }
  for (const auto& a : append) {
    w.put('T');
    w.write(a);
    w.put('\0');
  }
  w.flush();
  // Start the write-back now, so that the fsyncs in commit() overlap
  // instead of waiting one after another (a batch touches up to 53 files).
  ::sync_file_range(out.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
  pending.push_back({std::move(out), tmp, file});
  return dropped;
}

void StdStore::commit(std::vector<Pending>& pending) {
  if (pending.empty()) return;
  // fsync in parallel: concurrent fsyncs share journal commits, where one
  // after another each waits for its own (53 commits are most of the time
  // of a bulk import on ext4).
  std::vector<int> errors(pending.size(), 0);
  {
    std::vector<std::thread> workers;
    const std::size_t nthreads = std::min<std::size_t>(pending.size(), 16);
    for (std::size_t t = 0; t < nthreads; ++t)
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < pending.size(); i += nthreads)
          if (::fsync(pending[i].fd.get()) != 0) errors[i] = errno;
      });
    for (auto& th : workers) th.join();
  }
  for (std::size_t i = 0; i < pending.size(); ++i)
    if (errors[i]) mta::throw_errno(mta::cat("unable to sync ", pending[i].tmp.string()), errors[i]);
  for (auto& p : pending) {
    p.fd.close();
    if (::rename(p.tmp.c_str(), p.file.c_str()) != 0) mta::throw_errno(mta::cat("unable to move ", p.tmp.string()));
  }
  io::fsync_dir(subs_);
}

void StdStore::write_log(const std::vector<std::pair<std::string, std::string>>& changed, char sign,
                         std::string_view tag) {
  append_log(base_, clock_ ? clock_() : std::time(nullptr), sign, tag, changed);
}

// add_batch - validate all, then per touched bucket: one presence scan, one rewrite.
std::size_t StdStore::add_batch(const std::vector<Subscription>& subs, std::string_view tag) {
  for (const auto& s : subs) check_address(s.address, &dir_);
  struct Entry { std::string stored; std::string key; const std::string* comment; bool present = false; };
  std::vector<Entry> entries;
  std::unordered_map<std::string, std::size_t> index;  // key -> entry, first one wins
  entries.reserve(subs.size());
  index.reserve(subs.size());
  for (const auto& s : subs) {
    std::string key = ascii_lower(s.address);
    if (index.count(key)) continue;
    index.emplace(key, entries.size());
    entries.push_back({stored_form(s.address), std::move(key), &s.comment});
  }

  io::Fd lockfd = lock();
  auto held = io::FileLock::exclusive(lockfd.get(), false);

  // Which entries are already there, scanning each candidate bucket once.
  std::map<char, std::vector<std::size_t>> by_candidate;
  for (std::size_t i = 0; i < entries.size(); ++i)
    for (char l : candidates(entries[i].stored)) by_candidate[l].push_back(i);
  for (auto& [letter, list] : by_candidate) {
    std::unordered_map<std::string_view, std::size_t> wanted;
    for (std::size_t i : list)
      if (!entries[i].present) wanted.emplace(entries[i].key, i);
    if (wanted.empty()) continue;
    scan_bucket(subs_ / std::string(1, letter), [&](std::string_view rec) {
      if (rec.empty() || rec[0] != 'T') return true;
      auto it = wanted.find(ascii_lower(rec.substr(1)));
      if (it != wanted.end()) entries[it->second].present = true;
      return true;
    });
  }

  // The new ones, appended to their bucket; one rewrite per bucket.
  std::map<char, std::vector<std::string>> appends;
  std::vector<std::pair<std::string, std::string>> changed;
  for (const auto& e : entries) {
    if (e.present) continue;
    appends[primary(e.stored)].push_back(e.stored);
    changed.emplace_back(e.stored, *e.comment);
  }
  if (changed.empty()) return 0;
  std::vector<Pending> pending;
  for (const auto& [letter, list] : appends)
    rewrite(letter, [](std::string_view) { return false; }, list, pending);
  commit(pending);
  write_log(changed, '+', tag);
  return changed.size();
}

// remove_batch - every copy in every candidate bucket goes; one rewrite per bucket.
std::size_t StdStore::remove_batch(const std::vector<Subscription>& subs, std::string_view tag) {
  for (const auto& s : subs) check_address(s.address, &dir_, false);
  std::map<char, std::set<std::string, std::less<>>> by_bucket;  // letter -> keys
  std::unordered_map<std::string, std::pair<std::string, std::string>> what;  // key -> (stored, comment)
  for (const auto& s : subs) {
    std::string key = ascii_lower(s.address);
    if (what.count(key)) continue;
    what.emplace(key, std::make_pair(stored_form(s.address), s.comment));
    for (char l : candidates(s.address)) by_bucket[l].insert(key);
  }

  io::Fd lockfd = lock();
  auto held = io::FileLock::exclusive(lockfd.get(), false);

  std::set<std::string> removed;
  std::vector<Pending> pending;
  bool any = false;
  for (const auto& bucket : by_bucket) {
    const auto& keys = bucket.second;  // named: clang 14 cannot capture a structured binding
    auto dropped = rewrite(bucket.first, [&](std::string_view addr) {
      std::string k = ascii_lower(addr);
      if (keys.count(k) == 0) return false;
      removed.insert(k);
      return true;
    }, {}, pending);
    any = any || dropped > 0;
  }
  // Not found where any hash puts it: an entry filed by an older ezmlm under
  // a case we cannot guess. One streaming pass over the other buckets finds
  // it, so unsubscribing never "succeeds" while the address stays (the cost
  // is paid only for addresses that were not found).
  std::set<std::string, std::less<>> missing;
  for (const auto& [key, v] : what)
    if (!removed.count(key)) missing.insert(key);
  if (!missing.empty()) {
    for (int i = 0; i < bucket_count; ++i) {
      char letter = static_cast<char>('@' + i);
      if (by_bucket.count(letter)) continue;
      auto dropped = rewrite(letter, [&](std::string_view addr) {
        std::string k = ascii_lower(addr);
        if (missing.count(k) == 0) return false;
        removed.insert(k);
        return true;
      }, {}, pending);
      any = any || dropped > 0;
    }
  }
  if (!any) return 0;
  commit(pending);
  std::vector<std::pair<std::string, std::string>> changed;
  for (const auto& s : subs) {
    std::string key = ascii_lower(s.address);
    if (removed.erase(key)) changed.push_back(what[key]);
  }
  write_log(changed, '-', tag);
  return changed.size();
}

}  // namespace

std::unique_ptr<SubscriberStore> open_store(const ListDir& dir, std::string_view subdir,
                                            const StoreOptions& options) {
  std::string sub = dir.subdir(subdir);
  if (!options.force_std) {
    std::optional<std::string> spec = options.spec;
    if (!spec) spec = dir.first_line("subdb");
    if (!spec) {
      if (auto legacy = dir.first_line("sql")) spec = mta::cat("sql:", *legacy);
    }
    // "std" (or an empty plugin name) is the file store.
    if (spec && !spec->empty() && spec->rfind("std", 0) != 0)
      if (auto parsed = sql::parse_spec(*spec)) return sql::open_store(dir, sub, *parsed, options);
  }
  fs::path base = sub.empty() ? dir.path() : dir.path() / sub;
  return std::make_unique<StdStore>(dir, base, options);
}

void append_log(const fs::path& base, std::time_t when, char sign, std::string_view tag,
                const std::vector<std::pair<std::string, std::string>>& changed) {
  if (changed.empty()) return;
  std::string now = std::to_string(when);
  std::string text;
  for (const auto& [addr, comment] : changed) {
    text += mta::cat(now, " ", std::string(1, sign), tag, " ", log_safe(addr, false));
    if (!comment.empty()) text += mta::cat(" ", log_safe(comment, true));
    text += '\n';
  }
  // The Log is informational (ezmlm-idx does not sync it either): one append.
  io::Fd fd = io::open_or_throw(base / "Log", O_WRONLY | O_CREAT | O_APPEND, 0644);
  io::write_all(fd.get(), text);
}

}  // namespace ezmlm
