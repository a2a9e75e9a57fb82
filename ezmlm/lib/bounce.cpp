// ezmlm/lib/bounce.cpp — ezmlm-return's and ezmlm-warn's bookkeeping; see bounce.h.
//
// Every change of <work>/bounce happens under <work>/lockbounce. Files are
// written to a temporary name, fsync'ed and renamed, so ezmlm-warn never
// reads half a bounce; the h history is appended (a lost line costs one
// message number in a warning, nothing more).
#include "ezmlm/lib/bounce.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/cookie_addr.h"
#include "ezmlm/lib/reply.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/text.h"

namespace ezmlm::bounce {

namespace {

using mta::cat;
namespace io = mta::io;

constexpr std::time_t slot = 10000;            // d/<T/10000>
constexpr std::time_t expire_every = 100000;   // one h subdirectory per this many seconds
constexpr std::size_t log_comment_max = 200;

io::Fd lock_fd(const Work& work) {
  return io::open_or_throw(work.dir / "lockbounce", O_RDWR | O_CREAT, 0600);
}

io::FileLock lock(const io::Fd& fd) { return *io::FileLock::exclusive(fd.get(), false); }

void make_dirs(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) throw mta::TempError(cat("unable to create ", p.string(), ": ", ec.message()));
}

// Writes `contents` to tmp, fsyncs, renames to final and syncs the directory.
void write_durable(const fs::path& tmp, const fs::path& final, std::string_view contents) {
  {
    io::Fd fd = io::open_or_throw(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    io::write_all(fd.get(), contents);
    io::fsync_or_throw(fd.get(), tmp.string());
  }
  if (::rename(tmp.c_str(), final.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw mta::TempError(cat("unable to rename ", tmp.string(), " to ", final.string(), ": ", std::strerror(e)));
  }
  io::fsync_dir(final.parent_path());
}

std::string bounce_record(std::string_view address, std::string_view sender, std::string_view message) {
  std::string r;
  r.reserve(address.size() + sender.size() + message.size() + 20);
  r.append(address).push_back('\0');
  r.append(cat("Return-Path: <", sender, ">\n"));
  r.append(message);
  return r;
}

bool subscribed(const ListDir& dir, const Work& work, std::string_view address) {
  return open_store(dir, work.subdb)->contains(address);
}

// The Log comment: controls and 8-bit as '?', tabs as spaces, cut.
std::string log_safe(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s.substr(0, std::min(s.size(), max))) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(c == '\t' ? ' ' : (u < 0x20 || u >= 0x7f) ? '?' : c);
  }
  return out;
}

unsigned long parse_number(std::string_view s, bool& ok) {
  unsigned long n = 0;
  ok = !s.empty() && s.size() <= 19;  // 19 digits always fit 64 bits
  if (!ok) return 0;
  for (char c : s) {
    if (c < '0' || c > '9') ok = false;
    else n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  return n;
}

}  // namespace

Work work_for(const ListDir& dir, bool digest) {
  Work w;
  w.digest = digest;
  w.dir = digest ? dir.path() / "digest" : dir.path();
  w.subdb = digest ? "digest" : "";
  w.local = digest ? dir.outlocal() + "-digest" : dir.outlocal();
  return w;
}

ReturnAddress parse_return(std::string_view d) {
  ReturnAddress r;
  if (d.empty()) {
    r.kind = Kind::trash;
    return r;
  }
  if (d.rfind("probe-", 0) == 0 || d.rfind("warn-", 0) == 0) {
    r.kind = d[0] == 'p' ? Kind::probe : Kind::warn;
    r.cookie_text = std::string(d);
    return r;
  }
  std::size_t dash = d.find('-');
  if (dash == std::string_view::npos) return r;
  bool ok = false;
  unsigned long msgnum = parse_number(d.substr(0, dash), ok);
  if (!ok) return r;
  std::string_view box = d.substr(dash + 1);
  if (box.empty()) {
    r.kind = Kind::bare;
    r.msgnum = msgnum;
    return r;
  }
  std::size_t eq = box.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == box.size()) return r;
  r.kind = Kind::verp;
  r.msgnum = msgnum;
  r.box = decode_target(box);
  return r;
}

std::string history_name(std::string_view address) {
  std::string c = cookie("", "", address, '\0');
  return cat("h/", c.substr(0, 1), "/h", c.substr(1));
}

bool store_bounce(const Work& work, std::string_view address, unsigned long msgnum, std::string_view sender,
                  std::string_view message, std::time_t now, pid_t pid, unsigned n) {
  const fs::path bdir = work.dir / "bounce";
  const std::string stamp = cat(std::to_string(now % slot), ".", std::to_string(pid), n ? cat(".", std::to_string(n)) : "");
  const std::string slotname = std::to_string(now / slot);
  make_dirs(bdir / "d");
  const fs::path tmp = bdir / "d" / cat(slotname, "_d", stamp);

  // The d file first (under its temporary name), then the history: if the
  // history is new, this is the address's first bounce and the d file stays.
  io::Fd lk = lock_fd(work);
  auto held = lock(lk);
  {
    io::Fd fd = io::open_or_throw(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    io::write_all(fd.get(), bounce_record(address, sender, message));
    io::fsync_or_throw(fd.get(), tmp.string());
  }
  const fs::path hist = bdir / history_name(address);
  make_dirs(hist.parent_path());
  bool first = false;
  {
    io::Fd fd = io::open_or_throw(hist, O_WRONLY | O_APPEND | O_CREAT, 0600);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw mta::TempError(cat("unable to stat ", hist.string()));
    first = st.st_size == 0;
    io::write_all(fd.get(), cat("   ", std::to_string(msgnum), "\n"));
    io::fsync_or_throw(fd.get(), hist.string());
  }
  if (!first) {
    ::unlink(tmp.c_str());
    return false;
  }
  const fs::path final_dir = bdir / "d" / slotname;
  make_dirs(final_dir);
  const fs::path final = final_dir / cat("d", stamp);
  if (::rename(tmp.c_str(), final.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw mta::TempError(cat("unable to rename ", tmp.string(), ": ", std::strerror(e)));
  }
  io::fsync_dir(final_dir);
  return true;
}

bool store_warn_bounce(const Work& work, std::string_view address, std::string_view sender,
                       std::string_view message, std::time_t now, pid_t pid) {
  const fs::path bdir = work.dir / "bounce";
  const std::string stamp = cat(std::to_string(now % slot), ".", std::to_string(pid));
  const std::string slotname = std::to_string(now / slot);
  io::Fd lk = lock_fd(work);
  auto held = lock(lk);
  const fs::path final_dir = bdir / "d" / slotname;
  make_dirs(final_dir);
  write_durable(bdir / "d" / cat(slotname, "_w", stamp), final_dir / cat("w", stamp),
                bounce_record(address, sender, message));
  return true;
}

void log_not_counted(const Work& work, std::time_t now, dsn::Verdict verdict, std::string_view address,
                     const dsn::Recipient& why) {
  std::string line = cat(std::to_string(now), " ~", dsn::verdict_name(verdict), " ", log_safe(address, 400));
  std::string comment = cat(why.status.empty() ? "-" : why.status, " ", why.diagnostic.empty() ? why.action : why.diagnostic);
  line += " " + log_safe(comment, log_comment_max) + "\n";
  const fs::path bdir = work.dir / "bounce";
  make_dirs(bdir);
  io::Fd fd = io::open_or_throw(bdir / "Log", O_WRONLY | O_APPEND | O_CREAT, 0600);
  io::write_all(fd.get(), line);
  io::fsync_or_throw(fd.get(), (bdir / "Log").string());
}

namespace {

// ReturnRun - one bounce through ezmlm-return, in the steps of 5.1.
class ReturnRun {
 public:
  ReturnRun(const ListDir& dir, bool digest, const ReturnInput& in)
      : dir_(dir), work_(work_for(dir, digest)), in_(in), ra_(parse_return(in.deflt)) {
    if (ra_.kind != Kind::trash && ra_.kind != Kind::unknown) report_ = dsn::parse(in.message);
  }

  // run - dispatch on the form of DEFAULT.
  ReturnResult run() {
    switch (ra_.kind) {
      case Kind::trash:
      case Kind::unknown: note("", Outcome::trash); break;
      case Kind::probe:
      case Kind::warn: cookie_bounce(); break;
      case Kind::verp:
        if (subscribed(dir_, work_, ra_.box)) {
          verp_bounce();
          break;
        }
        // A forwarder's address: the report may name the subscriber.
        note(ra_.box, Outcome::not_subscriber);
        report_bounce();
        break;
      case Kind::bare: report_bounce(); break;
    }
    return std::move(result_);
  }

 private:
  void note(std::string_view address, Outcome o) { result_.addresses.emplace_back(std::string(address), o); }

  // not_counted - log a failure the report calls transient, policy or none.
  void not_counted(std::string_view address, dsn::Verdict v, const dsn::Recipient& r) {
    log_not_counted(work_, in_.now, v, address, r);
    result_.info.push_back(dir_.message("TXT_BOUNCE_NOT_COUNTED", {std::string(address), std::string(dsn::verdict_name(v)),
                                                                    r.status.empty() ? "-" : r.status}));
    note(address, Outcome::not_counted);
  }

  // counts - false (after logging) when the report's entry for address is
  // not a dead mailbox; true when there is none or it is.
  bool counts(std::string_view address) {
    const dsn::Recipient* r = dsn::recipient_for(report_, address);
    if (!r) return true;
    dsn::Verdict v = dsn::classify(*r);
    if (v == dsn::Verdict::dead) return true;
    not_counted(address, v, *r);
    return false;
  }

  void store(std::string_view address, unsigned n) {
    bool kept = store_bounce(work_, address, ra_.msgnum, in_.sender, in_.message, in_.now, in_.pid, n);
    note(address, kept ? Outcome::stored : Outcome::counted);
  }

  // cookie_bounce - a bounced warning (w file) or probe (removal), when
  // the cookie is the list's, fresh, and the address still subscribed.
  void cookie_bounce() {
    auto c = parse_bounce(ra_.cookie_text);
    if (!c || check_bounce(read_key(dir_), *c, in_.now) != CookieCheck::ok) {
      result_.info.push_back(dir_.message("TXT_BOUNCE_BAD_COOKIE", {ra_.cookie_text}));
      note(c ? c->target : "", Outcome::bad_cookie);
      return;
    }
    if (!subscribed(dir_, work_, c->target)) {
      note(c->target, Outcome::not_subscriber);
      return;
    }
    // A probe refused for DMARC or for now removes nobody either.
    if (!counts(c->target)) return;
    if (ra_.kind == Kind::probe) {
      open_store(dir_, work_.subdb)->remove(c->target, "probe", "");
      note(c->target, Outcome::removed);
      return;
    }
    store_warn_bounce(work_, c->target, in_.sender, in_.message, in_.now, in_.pid);
    note(c->target, Outcome::warn_stored);
  }

  // verp_bounce - the VERP box is a subscriber.
  void verp_bounce() {
    if (counts(ra_.box)) store(ra_.box, 0);
  }

  // report_bounce - every subscriber the report names (as Original- or
  // Final-Recipient) that failed for good.
  void report_bounce() {
    unsigned n = 0;
    for (const auto& r : report_.recipients) {
      if (r.address.empty() || r.address == ra_.box) continue;
      std::string who;
      for (const std::string* cand : {&r.original_recipient, &r.final_recipient})
        if (who.empty() && !cand->empty() && subscribed(dir_, work_, *cand)) who = *cand;
      if (who.empty()) {
        note(r.address, Outcome::not_subscriber);
        continue;
      }
      dsn::Verdict v = dsn::classify(r);
      if (v != dsn::Verdict::dead) {
        not_counted(who, v, r);
        continue;
      }
      store(who, n++);
    }
  }

  const ListDir& dir_;
  const Work work_;
  const ReturnInput& in_;
  const ReturnAddress ra_;
  dsn::Report report_;
  ReturnResult result_;
};

}  // namespace

ReturnResult handle_return(const ListDir& dir, bool digest, const ReturnInput& in) {
  return ReturnRun(dir, digest, in).run();
}

// --- ezmlm-warn ---------------------------------------------------------------

namespace {

std::time_t read_time(const fs::path& p) {
  auto s = io::read_file(p);
  if (!s) return 0;
  bool ok = false;
  unsigned long n = parse_number(mta::text::trim(*s), ok);
  return ok ? static_cast<std::time_t>(n) : 0;
}

// The message numbers of an h file, as ezmlm-warn lists them: one per line.
std::string numbers_of(const fs::path& hist) {
  auto s = io::read_file(hist);
  if (!s) return "";
  std::string out;
  mta::text::for_each_line(*s, [&out](std::size_t, std::string_view line) {
    std::string_view t = mta::text::trim(line);
    if (!t.empty()) out += cat("   ", t, "\n");
  });
  return out;
}

void send_notice(const ListDir& dir, const Work& work, bool probe, std::string_view address,
                 std::string_view record_rest, const fs::path& hist, std::time_t now) {
  Reply mail(dir, "ezmlm-warn");
  mail.list_headers = false;
  mail.responder_line = false;
  mail.copy_trace = false;
  mail.list_local = work.local;
  const std::string host = dir.outhost();
  mail.from = cat(work.local, "-help@", host);
  mail.to = std::string(address);
  mail.subject = cat(dir.message(probe ? "SUB_PROBE" : "SUB_WARNING"), " ", work.local, "@", host);
  mail.tags.set('l', work.local);
  mail.tags.set('A', std::string(address));
  mail.tags.set('t', encode_target(address));
  mail.text("top");
  if (probe) {
    mail.text("bounce-probe");
  } else {
    mail.text("bounce-warn");
    std::string nums = numbers_of(hist);
    if (!nums.empty()) {
      mail.text(work.digest ? "dig-bounce-num" : "bounce-num");
      mail.raw(nums);
    }
  }
  mail.text("bounce-bottom");
  std::string copy(record_rest);
  if (!copy.empty() && copy.back() != '\n') copy.push_back('\n');
  mail.attach([copy](io::Writer& w) { w.write(copy); }, dir.charset_encoding() != 0);
  const std::string env_sender = bounce_address(dir, read_key(dir), work.digest, probe ? 'P' : 'W', address, now);
  mail.send(env_sender, {std::string(address)}, now);
}

// Expires one h/<letter> subdirectory, cycling a..p, at most every expire_every seconds.
void expire_history(const Work& work, std::time_t now, std::time_t max_age) {
  const fs::path bdir = work.dir / "bounce";
  const fs::path lasth = bdir / "lasth";
  char letter = 'p';
  std::error_code ec;
  if (auto s = io::read_file(lasth)) {
    if (!s->empty() && (*s)[0] >= 'a' && (*s)[0] <= 'p') letter = (*s)[0];
    auto t = fs::last_write_time(lasth, ec);
    if (!ec) {
      auto sys = std::chrono::file_clock::to_sys(t);
      if (std::chrono::system_clock::to_time_t(sys) + expire_every > now) return;
    }
  }
  letter = letter == 'p' ? 'a' : static_cast<char>(letter + 1);
  const fs::path hdir = bdir / "h" / std::string(1, letter);
  for (const auto& e : fs::directory_iterator(hdir, ec)) {
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (st.st_mtime + max_age < now) ::unlink(e.path().c_str());
  }
  io::replace_file(lasth, std::string(1, letter) + "\n", 0600);
}

// slots - the numbered d/<S> directories, oldest first. On the way,
// removes ezmlm-return's temporary files ("S_dR.pid") a day old: left by a
// crash between writing and renaming.
std::map<unsigned long, fs::path> slots(const fs::path& ddir, std::time_t now) {
  std::map<unsigned long, fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ddir, ec)) {
    const std::string name = e.path().filename().string();
    bool ok = false;
    unsigned long n = parse_number(name, ok);
    if (ok && e.is_directory()) {
      out.emplace(n, e.path());
      continue;
    }
    struct stat st {};
    if (name.find('_') != std::string::npos && ::lstat(e.path().c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_mtime + 86400 < now)
      ::unlink(e.path().c_str());
  }
  return out;
}

// warn_file - the next step for one d (warning) or w (probe) file, then
// the file goes; a d file takes its address's history with it.
void warn_file(const ListDir& dir, const Work& work, const fs::path& f, std::time_t now, WarnResult& result) {
  const std::string name = f.filename().string();
  if (name.empty() || (name[0] != 'd' && name[0] != 'w')) return;
  auto record = io::read_file(f);
  if (!record) return;
  std::size_t nul = record->find('\0');
  std::string address = record->substr(0, nul);
  std::string_view rest = nul == std::string::npos ? std::string_view() : std::string_view(*record).substr(nul + 1);
  const fs::path hist = work.dir / "bounce" / history_name(address);
  if (!address.empty() && open_store(dir, work.subdb)->contains(address)) {
    bool probe = name[0] == 'w';
    send_notice(dir, work, probe, address, rest, hist, now);  // throws before anything is deleted
    ++(probe ? result.probes : result.warnings);
    result.info.push_back(dir.message(probe ? "TXT_BOUNCE_PROBE_SENT" : "TXT_BOUNCE_WARNING_SENT", {address}));
  } else {
    ++result.dropped;
  }
  if (name[0] == 'd') ::unlink(hist.c_str());
  if (::unlink(f.c_str()) != 0 && errno != ENOENT)
    throw mta::TempError(cat("unable to delete ", f.string(), ": ", std::strerror(errno)));
}

// warn_one - one list (main or digest) under its lockbounce.
void warn_one(const ListDir& dir, const Work& work, const WarnOptions& options, std::time_t now, WarnResult& result) {
  const fs::path bdir = work.dir / "bounce";
  if (!fs::is_directory(bdir)) return;
  io::Fd lk = lock_fd(work);
  auto held = lock(lk);
  std::time_t lockout = options.lockout ? *options.lockout : options.timeout / 50;
  if (read_time(bdir / "lastd") + lockout > now) return;

  // A slot is due once its first second is a timeout old (so -t0 does all).
  for (const auto& [n, path] : slots(bdir / "d", now)) {
    if (static_cast<std::time_t>(n) * slot + options.timeout > now) continue;
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path, ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) warn_file(dir, work, f, now, result);
    ::rmdir(path.c_str());
  }
  io::replace_file(bdir / "lastd", std::to_string(now) + "\n", 0600);
  expire_history(work, now, 3 * options.timeout);
}

}  // namespace

WarnResult run_warn(const ListDir& dir, const WarnOptions& options, std::time_t now) {
  WarnResult result;
  using W = WarnOptions::Which;
  if (options.which != W::digest) warn_one(dir, work_for(dir, false), options, now, result);
  if (options.which == W::digest || (options.which == W::both && dir.flag('d')))
    warn_one(dir, work_for(dir, true), options, now, result);
  return result;
}

}  // namespace ezmlm::bounce
