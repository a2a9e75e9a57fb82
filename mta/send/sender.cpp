// mta/send/sender.cpp — the qmail-send main loop (see sender.h).
//
// State, per channel (0 = local, 1 = remote):
//   sched   message id -> time of its next pass (qmail's pqchan)
//   jobs    messages with a pass or deliveries in progress; a job holds one
//           reference for its open pass and one per running delivery, and
//           is closed when the last one goes
//   pass    the one job whose channel file is being read, record by record
//   slots   running deliveries, indexed by the slot byte of the protocol
//   groups  (remote) recipients in flight per batch key: qmail-rspawn gives
//           the recipients of one message and sender (or VERP template) at one domain to one
//           qmail-remote, up to 100, so concurrencyremote counts such
//           batches, while up to the spawner's slot count of recipients
//           are in flight (see qmail-send(8), qmail-rspawn(8))
// and for the queue: the todo ids still to preprocess, the ids waiting for
// completion (with their due time), and the next todo scan and cleanup.
#include "mta/send/sender.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <deque>
#include <exception>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "mta/core/address.h"
#include "mta/core/control.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/queue_client.h"
#include "mta/core/queue_layout.h"
#include "mta/send/bounce.h"
#include "mta/send/logline.h"
#include "mta/send/records.h"
#include "mta/send/report.h"
#include "mta/send/retry.h"
#include "mta/send/rewrite.h"

namespace mta::send {
namespace {

// The only globals: what the signal handlers set.
volatile std::sig_atomic_t flag_term = 0;
volatile std::sig_atomic_t flag_alarm = 0;
volatile std::sig_atomic_t flag_hup = 0;

extern "C" void on_term(int) { flag_term = 1; }
extern "C" void on_alarm(int) { flag_alarm = 1; }
extern "C" void on_hup(int) { flag_hup = 1; }

constexpr std::time_t sleep_sysfail = 123;    // retry of a failed stat, unlink, injection
constexpr std::time_t todo_interval = 1500;   // todo is scanned at least this often
constexpr std::time_t cleanup_interval = 76431;
constexpr std::time_t cleanup_age = 129600;   // 36 h: older than any live qmail-queue
constexpr std::time_t sleep_alert = 10;
constexpr std::time_t max_wait = 86400;
constexpr std::size_t pending_max = 32768;    // command bytes buffered per channel

struct Controls {
  unsigned long lifetime = 604800;
  unsigned long concurrency[2] = {10, 20};
  BounceConfig bounce;
  Rewriting rewriting;
};

// read_rewriting - locals (me if absent; neither is an error) and
// virtualdomains, the two files HUP rereads; percenthack is read at start.
void read_rewriting(const control::Control& ctl, Rewriting& rw) {
  auto locals = ctl.list("locals");
  if (!locals) {
    auto me = ctl.me();
    if (!me) throw TempError("no control/locals and no control/me");
    locals = std::vector<std::string>{*me};
  }
  auto vd = ctl.list("virtualdomains");
  rw.locals = ConstMap::keys(*locals);
  rw.virtualdomains = ConstMap::pairs(vd ? *vd : std::vector<std::string>{});
}

Controls read_controls(const control::Control& ctl) {
  Controls c;
  c.lifetime = ctl.number("queuelifetime", 604800);
  c.concurrency[0] = ctl.number("concurrencylocal", 10);
  c.concurrency[1] = ctl.number("concurrencyremote", 20);
  c.rewriting.envnoathost = ctl.line_or_me("envnoathost", "envnoathost");
  c.bounce.bouncefrom = ctl.line("bouncefrom").value_or("MAILER-DAEMON");
  c.bounce.bouncehost = ctl.line_or_me("bouncehost", "bouncehost");
  c.bounce.doublebouncehost = ctl.line_or_me("doublebouncehost", "doublebouncehost");
  c.bounce.doublebounceto = ctl.line("doublebounceto").value_or("postmaster");
  auto ph = ctl.list("percenthack");
  c.rewriting.percenthack = ConstMap::keys(ph ? *ph : std::vector<std::string>{});
  read_rewriting(ctl, c.rewriting);
  return c;
}

// remote_records - the remote channel file: T records grouped by domain
// (stable, case-insensitive), so that a pass meets a domain's recipients
// together and qmail-rspawn can give them to one qmail-remote. A list's
// subscribers come in hash order; unsorted, a pass would start a new batch
// for nearly every recipient. The order of records carries no meaning.
std::string remote_records(std::vector<std::string> addrs) {
  auto domain = [](const std::string& a) {
    auto at = a.rfind('@');
    return address::ascii_lower(at == a.npos ? std::string_view() : std::string_view(a).substr(at + 1));
  };
  std::vector<std::pair<std::string, std::size_t>> keys;
  keys.reserve(addrs.size());
  for (std::size_t i = 0; i < addrs.size(); ++i) keys.emplace_back(domain(addrs[i]), i);
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& k : keys) out += cat("T", addrs[k.second], std::string_view("\0", 1));
  return out;
}

// info_sender - the envelope sender, info's F record ("" if none).
std::string info_sender(std::string_view info) {
  Records inf = parse_records(info);
  if (!inf.records.empty() && inf.records[0].type == 'F') return std::string(inf.records[0].text);
  return {};
}

// SignalsOpen - TERM, ALRM and HUP are blocked except inside ppoll (so a
// signal never slips in between checking the flags and waiting); a child
// started meanwhile must not inherit the block, so forks happen inside one.
class SignalsOpen {
 public:
  explicit SignalsOpen(const sigset_t& open) { sigprocmask(SIG_SETMASK, &open, &saved_); }
  ~SignalsOpen() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsOpen(const SignalsOpen&) = delete;
  SignalsOpen& operator=(const SignalsOpen&) = delete;

 private:
  sigset_t saved_;
};

// Recipients per qmail-remote run; the same cap as qmail-rspawn's.
constexpr unsigned batch_limit = 100;

struct Delivery {
  bool used = false;
  std::string group;  // batch key (remote channel), empty for local
  std::uint64_t id = 0;
  std::size_t offset = 0;  // of the record's type byte in the channel file
  std::string recipient;
  unsigned long number = 0;
};

struct Job {
  std::time_t birth = 0;
  std::time_t retry = 0;
  bool dying = false;
  bool hit_eof = false;
  unsigned refs = 0;    // the open pass + running deliveries
  unsigned undone = 0;  // T records met by the pass and not yet marked D
  std::string sender;
  std::string data;     // the channel file, as read at pass open
  Records records;
  std::size_t next = 0;  // next record of the pass
};

struct Channel {
  const char* name = "";
  unsigned chanskip = 0;
  int cmd_fd = -1, report_fd = -1;
  unsigned concurrency = 0;
  unsigned used = 0;      // deliveries (local) or batches (remote) running
  unsigned inflight = 0;  // recipients handed to the spawner, not yet reported
  bool batching = false;  // remote: used counts batches, see groups
  std::map<std::string, unsigned> groups;
  bool alive = true;
  std::vector<Delivery> slots;
  std::string pending;  // commands not yet fully written
  ReportReader reader;
  std::map<std::uint64_t, std::time_t> sched;
  std::map<std::uint64_t, Job> jobs;
  std::optional<std::uint64_t> pass;
};

class Sender {
 public:
  Sender(const Home& home, const SendFds& fds, Controls controls, unsigned slots_local,
         unsigned slots_remote, const sigset_t& open_mask);
  ~Sender() { flush_log(); }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;
  int run();

 private:
  // logging
  void log(std::string_view line);
  void flush_log();
  void log_status();
  // file names relative to queue/
  std::string chan_file(int c, std::uint64_t id) const;
  std::string mess_name(std::uint64_t id) const;
  // helpers
  bool clean(std::string_view command);
  void reread_controls();
  // start-up and queue scans
  void scan_info();
  void scan_todo();
  void cleanup_pass();
  // preprocessing
  void preprocess(std::uint64_t id);
  // passes and deliveries
  void open_pass(int c, std::uint64_t id);
  void advance_pass(int c);
  std::string group_key(int c, std::uint64_t id, std::string_view recipient) const;
  bool room_for(int c, const std::string& group) const;
  bool can_advance(int c) const;
  void start_delivery(int c, std::uint64_t id, const Record& r);
  void end_delivery(int c, unsigned slot);
  void flush_command(int c);
  void read_reports(int c);
  void handle_reports(int c, std::vector<Report>& reports);
  void add_bounce(std::uint64_t id, std::string_view recipient, std::string_view text);
  void job_release(int c, std::uint64_t id);
  // completion
  void complete(std::uint64_t id);
  bool inject_bounce(std::uint64_t id);
  // guarded - run one step; an exception is logged and false returned, so
  // that one bad file never stops the daemon.
  template <typename F>
  bool guarded(F&& step);
  // exit
  bool outstanding() const;
  void save_retry_times();
  std::time_t wait_until(std::time_t now) const;

  Home home_;
  SendFds fds_;
  Controls ctl_;
  QueueLayout q_{"", queue_split_default};  // cwd is queue/
  Channel chan_[2];
  sigset_t open_mask_;
  std::deque<std::uint64_t> todo_;
  std::map<std::uint64_t, std::time_t> done_;  // completion due times
  std::time_t next_todo_scan_ = 0;
  std::time_t next_cleanup_ = 0;
  unsigned long deliveries_ = 0;
  bool exiting_ = false;
  bool clean_alive_ = true;
  io::Fd trigger_;
  std::string logbuf_;  // whole lines not yet written
};

Sender::Sender(const Home& home, const SendFds& fds, Controls controls, unsigned slots_local,
               unsigned slots_remote, const sigset_t& open_mask)
    : home_(home),
      fds_(fds),
      ctl_(std::move(controls)),
      open_mask_(open_mask) {
  chan_[0].name = "local";
  chan_[0].chanskip = chanskip_local;
  chan_[0].cmd_fd = fds.lspawn_cmd;
  chan_[0].report_fd = fds.lspawn_report;
  chan_[1].name = "remote";
  chan_[1].chanskip = chanskip_remote;
  chan_[1].cmd_fd = fds.rspawn_cmd;
  chan_[1].report_fd = fds.rspawn_report;
  unsigned slots[2] = {slots_local, slots_remote};
  chan_[1].batching = true;
  for (int c = 0; c < 2; ++c) {
    chan_[c].concurrency = static_cast<unsigned>(std::min<unsigned long>(ctl_.concurrency[c], slots[c]));
    // Remote: a batch holds many recipients, each in a slot of its own.
    chan_[c].slots.resize(chan_[c].batching ? slots[c] : chan_[c].concurrency);
    // Commands are written without blocking: a slow spawner must not stop
    // the reports of the other one from being read.
    int fl = fcntl(chan_[c].cmd_fd, F_GETFL);
    if (fl != -1) fcntl(chan_[c].cmd_fd, F_SETFL, fl | O_NONBLOCK);
  }
}

// log - lines are gathered and written, whole, in chunks of at most
// PIPE_BUF bytes (atomic on a pipe: a logger never sees half a line), before
// every wait and every sleep. A list's fan-out logs four lines per
// recipient: one write per line was most of qmail-send's system calls.
void Sender::log(std::string_view line) {
  if (!logbuf_.empty() && logbuf_.size() + line.size() + 1 > PIPE_BUF) flush_log();
  logbuf_.append(line);
  logbuf_.push_back('\n');
  if (logbuf_.size() >= PIPE_BUF) flush_log();  // a line that long goes alone
}

void Sender::flush_log() {
  if (logbuf_.empty()) return;
  try {
    io::write_all(fds_.log, logbuf_);
  } catch (const std::exception&) {
    // Nowhere to say it; qmail-send carries on the same way.
  }
  logbuf_.clear();
}

void Sender::log_status() {
  log(logline::status(chan_[0].used, chan_[0].concurrency, chan_[1].used, chan_[1].concurrency, exiting_));
}

std::string Sender::chan_file(int c, std::uint64_t id) const {
  return cat(chan_[c].name, "/", std::to_string(id % q_.split), "/", std::to_string(id));
}

std::string Sender::mess_name(std::uint64_t id) const {
  return cat(std::to_string(id % q_.split), "/", std::to_string(id));
}

// clean - one synchronous qmail-clean request; false if it was not done.
bool Sender::clean(std::string_view command) {
  if (!clean_alive_) return false;
  std::string cmd(command);
  cmd.push_back('\0');
  char answer = 0;
  ssize_t n = -1;
  try {
    io::write_all(fds_.clean_cmd, cmd);
    do n = ::read(fds_.clean_answer, &answer, 1);
    while (n == -1 && errno == EINTR);
  } catch (const std::exception&) {
    n = 0;
  }
  if (n != 1) {
    log("alert: oh no! lost qmail-clean connection! dying...");
    clean_alive_ = false;
    exiting_ = true;
    return false;
  }
  if (answer != '+') {
    log(cat("warning: qmail-clean unable to clean up ", command));
    return false;
  }
  return true;
}

void Sender::reread_controls() {
  // HUP: locals and virtualdomains only; on failure the old tables stay.
  Rewriting rw = ctl_.rewriting;
  try {
    read_rewriting(control::Control(home_), rw);
  } catch (const std::exception& e) {
    log(cat("alert: unable to reread controls: ", e.what()));
    return;
  }
  ctl_.rewriting = std::move(rw);
}

// scan_info - start-up (qmail's pqstart): every preprocessed message is
// scheduled at its channel files' mtimes (the retry times saved on exit).
void Sender::scan_info() {
  for (unsigned s = 0; s < q_.split; ++s) {
    std::string dir = cat("info/", std::to_string(s));
    DIR* d = nullptr;
    while (!(d = ::opendir(dir.c_str()))) {
      log(cat("alert: unable to opendir ", dir, ", sleeping..."));
      flush_log();
    ::sleep(sleep_alert);
    }
    while (struct dirent* e = ::readdir(d)) {
      std::uint64_t id = 0;
      if (!parse_queue_id(e->d_name, id)) continue;
      struct stat st {};
      if (::stat(q_.todo(id).c_str(), &st) == 0) continue;  // the todo scan redoes it
      bool any = false;
      for (int c = 0; c < 2; ++c)
        if (::stat(chan_file(c, id).c_str(), &st) == 0) {
          chan_[c].sched[id] = st.st_mtime;
          any = true;
        }
      if (!any) done_[id] = std::time(nullptr);
    }
    ::closedir(d);
  }
}

void Sender::scan_todo() {
  // Close and reopen the fifo: once a writer has come and gone it would
  // poll readable for ever.
  // Close first: opening before closing would keep the fifo, and the bytes
  // in it, alive. Whatever a writer left meanwhile is read away.
  trigger_.close();
  trigger_.reset(::open(q_.trigger().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (trigger_) {
    char junk[64];
    while (::read(trigger_.get(), junk, sizeof junk) > 0) {
    }
  }
  next_todo_scan_ = std::time(nullptr) + todo_interval;
  DIR* d = nullptr;
  while (!(d = ::opendir("todo"))) {
    log("alert: unable to opendir todo, sleeping...");
    flush_log();
    ::sleep(sleep_alert);
  }
  todo_.clear();
  while (struct dirent* e = ::readdir(d)) {
    std::uint64_t id = 0;
    if (parse_queue_id(e->d_name, id)) todo_.push_back(id);
  }
  ::closedir(d);
}

// cleanup_pass - mess files left by a qmail-queue that died before its
// commit (or by us after unlinking info): no info, no todo, 36 h old.
void Sender::cleanup_pass() {
  std::time_t now = std::time(nullptr);
  next_cleanup_ = now + cleanup_interval;
  for (unsigned s = 0; s < q_.split && clean_alive_; ++s) {
    std::string dir = cat("mess/", std::to_string(s));
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
      log(cat("warning: unable to opendir ", dir));
      continue;
    }
    std::vector<std::uint64_t> stale;
    while (struct dirent* e = ::readdir(d)) {
      std::uint64_t id = 0;
      if (!parse_queue_id(e->d_name, id)) continue;
      struct stat st {};
      if (::stat(q_.info(id).c_str(), &st) == 0 || ::stat(q_.todo(id).c_str(), &st) == 0) continue;
      if (::stat(q_.mess(id).c_str(), &st) == 0 && st.st_atime < now - cleanup_age) stale.push_back(id);
    }
    ::closedir(d);
    for (auto id : stale) clean(cat("foop/", std::to_string(id)));
  }
}

// preprocess - todo/<id> -> info, local, remote (reference 2.4 B).
void Sender::preprocess(std::uint64_t id) {
  const std::string name = std::to_string(id);
  const std::string info_name = q_.info(id).string();
  struct stat mst {};
  if (::stat(q_.mess(id).c_str(), &mst) == -1) {
    log(cat("warning: unable to stat ", q_.mess(id).string()));
    return;
  }
  for (const std::string& f : {info_name, chan_file(0, id), chan_file(1, id)})
    if (::unlink(f.c_str()) == -1 && errno != ENOENT) {
      log(cat("warning: unable to unlink ", f, "; will try again later"));
      return;
    }
  auto todo = io::read_file(q_.todo(id));
  if (!todo) return;  // already gone: preprocessed by an earlier run
  io::Fd info(::open(info_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!info) {
    log(cat("warning: unable to create ", info_name));
    return;
  }
  log(logline::new_msg(id));

  Records recs = parse_records(*todo);
  std::string uid, qp, out[2];
  std::vector<std::string> remote;
  for (const Record& r : recs.records) {
    switch (r.type) {
      case 'u': uid = r.text; break;
      case 'p': qp = r.text; break;
      case 'F': {
        std::string rec = cat("F", r.text, std::string_view("\0", 1));
        if (::write(info.get(), rec.data(), rec.size()) != static_cast<ssize_t>(rec.size())) {
          log(cat("warning: trouble writing to ", info_name));
          return;
        }
        log(logline::info_msg(id, static_cast<std::uint64_t>(mst.st_size), r.text, qp, uid));
        break;
      }
      case 'T': {
        Target t = rewrite(ctl_.rewriting, r.text);
        if (t.local) out[0] += cat("T", t.address, std::string_view("\0", 1));
        else remote.push_back(std::move(t.address));
        break;
      }
      default:
        log(cat("warning: unknown record type in todo/", name));
        return;
    }
  }
  if (recs.partial) {
    log(cat("warning: trouble reading todo/", name));
    return;
  }
  out[1] = remote_records(std::move(remote));
  if (::fsync(info.get()) == -1) {
    log(cat("warning: trouble fsyncing ", info_name));
    return;
  }
  for (int c = 0; c < 2; ++c) {
    if (out[c].empty()) continue;
    const std::string f = chan_file(c, id);
    io::Fd fd(::open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
      log(cat("warning: unable to create ", f));
      return;
    }
    try {
      io::write_all(fd.get(), out[c]);
    } catch (const std::exception&) {
      log(cat("warning: trouble writing to ", f));
      return;
    }
    if (::fsync(fd.get()) == -1) {
      log(cat("warning: trouble fsyncing ", f));
      return;
    }
  }
  // The commit point: from here on the message is ours, not todo's.
  if (!clean(cat("todo/", name))) return;
  std::time_t now = std::time(nullptr);
  for (int c = 0; c < 2; ++c)
    if (!out[c].empty()) chan_[c].sched[id] = now;
  if (out[0].empty() && out[1].empty()) done_[id] = now;
}

// open_pass - read the channel file and compute the retry time now.
void Sender::open_pass(int c, std::uint64_t id) {
  Channel& ch = chan_[c];
  std::time_t now = std::time(nullptr);
  ch.sched.erase(id);
  // One open of info gives both the birth time and the sender.
  struct stat st {};
  io::Fd info = io::open_if_exists(q_.info(id), O_RDONLY | O_CLOEXEC);
  if (!info || ::fstat(info.get(), &st) == -1) {
    log(cat("warning: unable to stat ", q_.info(id).string(), "; will try again later"));
    ch.sched[id] = now + sleep_sysfail;
    return;
  }
  std::string sender = info_sender(io::Reader(info.get()).read_all());
  auto data = io::read_file(chan_file(c, id));
  if (!data) {
    log(cat("warning: unable to open ", chan_file(c, id)));
    done_[id] = now;  // the channel file is gone: see whether the message is done
    return;
  }
  Job& j = ch.jobs[id];
  j = Job{};
  j.birth = st.st_mtime;
  j.retry = next_retry(j.birth, now, ch.chanskip);
  j.dying = is_dying(j.birth, now, ctl_.lifetime);
  j.sender = std::move(sender);
  j.data = std::move(*data);
  j.records = parse_records(j.data);
  j.refs = 1;
  ch.pass = id;
}

// advance_pass - start deliveries for T records while a slot is free.
void Sender::advance_pass(int c) {
  Channel& ch = chan_[c];
  // Commands pile up in pending and leave in one write: qmail-rspawn batches
  // what it reads together.
  while (ch.pass && ch.pending.size() < pending_max) {
    std::uint64_t id = *ch.pass;
    Job& j = ch.jobs[id];
    if (exiting_ || !ch.alive) {  // leave the rest for the next run
      ch.pass.reset();
      job_release(c, id);
      return;
    }
    if (j.next >= j.records.records.size()) {
      if (j.records.partial) log(cat("warning: trouble reading ", chan_file(c, id)));
      else j.hit_eof = true;
      ch.pass.reset();
      job_release(c, id);
      return;
    }
    const Record& r = j.records.records[j.next];
    if (r.type == 'T') {
      if (!room_for(c, group_key(c, id, r.text))) break;  // wait for a report
      ++j.next;
      start_delivery(c, id, r);
    } else {
      ++j.next;
      if (r.type != 'D') log(cat("warning: unknown record type in ", chan_file(c, id)));
    }
  }
  flush_command(c);
}

// group_key - the batch a remote recipient rides in: message, domain
// (case-insensitive) and the sender qmail-rspawn batches on (VERP: the
// template whose expansion the recipient's sender is, as spawn's
// batch_sender finds it; otherwise the sender).
std::string Sender::group_key(int c, std::uint64_t id, std::string_view recipient) const {
  if (!chan_[c].batching) return {};
  auto at = recipient.rfind('@');
  std::string_view domain = at == recipient.npos ? std::string_view() : recipient.substr(at + 1);
  const auto& jobs = chan_[c].jobs;
  auto j = jobs.find(id);
  std::string sender = j == jobs.end() ? std::string() : verp_sender(j->second.sender, recipient);
  if (auto t = verp_template(sender, recipient)) sender = std::move(*t);
  return cat(std::to_string(id), std::string(1, '\0'), address::ascii_lower(domain), std::string(1, '\0'), sender);
}

// room_for - may a recipient of this batch start now? A free slot, and a
// running batch with room or a free unit of concurrency for a new one.
bool Sender::room_for(int c, const std::string& group) const {
  const Channel& ch = chan_[c];
  if (ch.inflight >= ch.slots.size()) return false;
  if (ch.batching) {
    auto it = ch.groups.find(group);
    if (it != ch.groups.end() && it->second % batch_limit != 0) return true;
  }
  return ch.used < ch.concurrency;
}

// can_advance - could the open pass start its next recipient right now?
bool Sender::can_advance(int c) const {
  const Channel& ch = chan_[c];
  if (!ch.pass || ch.pending.size() >= pending_max) return false;
  auto it = ch.jobs.find(*ch.pass);
  if (it == ch.jobs.end()) return false;
  const Job& j = it->second;
  if (j.next >= j.records.records.size()) return true;  // the pass can close
  const Record& r = j.records.records[j.next];
  return r.type != 'T' || room_for(c, group_key(c, *ch.pass, r.text));
}

void Sender::start_delivery(int c, std::uint64_t id, const Record& r) {
  Channel& ch = chan_[c];
  Job& j = ch.jobs[id];
  unsigned slot = 0;
  while (ch.slots[slot].used) ++slot;
  Delivery& d = ch.slots[slot];
  d.used = true;
  d.id = id;
  d.offset = r.offset;
  d.recipient = r.text;
  d.number = ++deliveries_;
  d.group = group_key(c, id, r.text);
  ++ch.inflight;
  if (!ch.batching || ch.groups[d.group]++ % batch_limit == 0) ++ch.used;
  ++j.refs;
  ++j.undone;
  const std::string nul(1, '\0');
  ch.pending += cat(std::string(1, static_cast<char>(slot)), mess_name(id), nul,
                    verp_sender(j.sender, d.recipient), nul, d.recipient, nul);
  log(logline::starting_delivery(d.number, id, c == 0, d.recipient));
  log_status();
}

// end_delivery - free the slot and its share of the concurrency.
void Sender::end_delivery(int c, unsigned slot) {
  Channel& ch = chan_[c];
  Delivery& d = ch.slots[slot];
  d.used = false;
  --ch.inflight;
  if (ch.batching) {
    auto it = ch.groups.find(d.group);
    if (--it->second % batch_limit == 0) --ch.used;
    if (it->second == 0) ch.groups.erase(it);
  } else {
    --ch.used;
  }
  job_release(c, d.id);
}

void Sender::flush_command(int c) {
  Channel& ch = chan_[c];
  while (!ch.pending.empty()) {
    ssize_t n = ::write(ch.cmd_fd, ch.pending.data(), ch.pending.size());
    if (n > 0) {
      ch.pending.erase(0, static_cast<std::size_t>(n));
    } else if (n == -1 && errno == EINTR) {
      continue;
    } else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;  // poll says when
    } else {
      // The spawner is gone; its report pipe will say so too.
      ch.pending.clear();
      return;
    }
  }
}

void Sender::read_reports(int c) {
  Channel& ch = chan_[c];
  static char buf[65536];  // a batch's reports in one read
  ssize_t n = ::read(ch.report_fd, buf, sizeof buf);
  if (n == -1 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    log("alert: oh no! lost spawn connection! dying...");
    ch.alive = false;
    exiting_ = true;
    // Its deliveries will never report: the records stay T and are retried.
    for (unsigned slot = 0; slot < ch.slots.size(); ++slot)
      if (ch.slots[slot].used) end_delivery(c, slot);
    return;
  }
  ch.reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  std::vector<Report> reports;
  while (auto r = ch.reader.next()) reports.push_back(std::move(*r));
  handle_reports(c, reports);
}

// handle_reports - the reports of one read. Each K or D overwrites its T
// byte with D; one fsync per channel file then commits all of them (a list's
// fan-out reports a hundred recipients at once: one fsync, not a hundred).
// Only after that are they logged and their slots freed, and may a job end.
void Sender::handle_reports(int c, std::vector<Report>& reports) {
  Channel& ch = chan_[c];
  struct Pending {
    unsigned slot;
    Report* report;
    bool marked;
  };
  std::vector<Pending> done;
  std::vector<bool> seen(ch.slots.size(), false);
  std::map<std::uint64_t, io::Fd> files;  // written, to fsync
  std::map<std::uint64_t, bool> trouble;  // files whose marks may be lost
  for (auto& r : reports) {
    if (r.slot >= ch.slots.size() || !ch.slots[r.slot].used || seen[r.slot]) {
      log("warning: internal error: delivery report out of range");
      continue;
    }
    seen[r.slot] = true;
    Delivery& d = ch.slots[r.slot];
    Job& j = ch.jobs[d.id];
    if (r.status == 'Z' && j.dying) {
      r.status = 'D';
      r.text += "I'm not going to try again; this message has been in the queue too long.\n";
    }
    if (r.status == 'D') add_bounce(d.id, d.recipient, r.text);
    bool marked = false;
    if (r.status == 'K' || r.status == 'D') {
      io::Fd& fd = files[d.id];
      if (!fd) fd = io::Fd(::open(chan_file(c, d.id).c_str(), O_WRONLY | O_CLOEXEC));
      marked = fd && ::pwrite(fd.get(), "D", 1, static_cast<off_t>(d.offset)) == 1;
      if (!marked) trouble[d.id] = true;
    }
    done.push_back({r.slot, &r, marked});
  }
  for (auto& [id, fd] : files)
    if (fd && ::fsync(fd.get()) == -1) trouble[id] = true;
  for (auto& [id, bad] : trouble)
    log(cat("warning: trouble marking ", chan_file(c, id), "; message will be delivered twice!"));

  for (const auto& p : done) {
    Delivery& d = ch.slots[p.slot];
    log(logline::delivery(d.number, p.report->status, p.report->text));
    if (p.marked && !trouble.count(d.id)) --ch.jobs[d.id].undone;
    end_delivery(c, p.slot);
    log_status();
  }
}

void Sender::add_bounce(std::uint64_t id, std::string_view recipient, std::string_view text) {
  std::string para = bounce_paragraph(bounce_recipient(ctl_.rewriting, recipient), text);
  const std::string f = q_.bounce(id).string();
  // Losing this text would lose the bounce: keep trying, as qmail does.
  for (;;) {
    io::Fd fd(::open(f.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    bool ok = false;
    if (fd) {
      try {
        io::write_all(fd.get(), para);
        ok = true;
      } catch (const std::exception&) {
      }
    }
    if (ok) return;
    log("alert: unable to append to bounce message; HELP! sleeping...");
    flush_log();
    ::sleep(sleep_alert);
  }
}

// job_release - drop one reference; the last one closes the job: a finished
// channel file goes, anything else is rescheduled at the retry time.
void Sender::job_release(int c, std::uint64_t id) {
  Channel& ch = chan_[c];
  auto it = ch.jobs.find(id);
  if (it == ch.jobs.end() || --it->second.refs > 0) return;
  Job j = std::move(it->second);
  ch.jobs.erase(it);
  if (!(j.hit_eof && j.undone == 0)) {
    ch.sched[id] = j.retry;
    return;
  }
  const std::string f = chan_file(c, id);
  if (::unlink(f.c_str()) == -1 && errno != ENOENT) {
    log(cat("warning: unable to unlink ", f, "; will try again later"));
    ch.sched[id] = std::time(nullptr) + sleep_sysfail;
    return;
  }
  done_[id] = std::time(nullptr);
}

// complete - messdone: bounce if needed, then remove the message.
void Sender::complete(std::uint64_t id) {
  struct stat st {};
  if (::stat(q_.todo(id).c_str(), &st) == 0) return;  // preprocessing will see it again
  for (int c = 0; c < 2; ++c) {
    if (chan_[c].sched.count(id) || chan_[c].jobs.count(id)) return;
    if (::stat(chan_file(c, id).c_str(), &st) == 0) return;
  }
  if (::stat(q_.info(id).c_str(), &st) == -1) return;  // already removed
  if (::stat(q_.bounce(id).c_str(), &st) == 0 && !inject_bounce(id)) {
    done_[id] = std::time(nullptr) + sleep_sysfail;
    return;
  }
  log(logline::end_msg(id));
  // The commit point of removal; what is left is qmail-clean's.
  if (::unlink(q_.info(id).c_str()) == -1 && errno != ENOENT) {
    log(cat("warning: unable to unlink ", q_.info(id).string(), "; will try again later"));
    done_[id] = std::time(nullptr) + sleep_sysfail;
    return;
  }
  clean(cat("foop/", std::to_string(id)));
}

bool Sender::inject_bounce(std::uint64_t id) {
  auto info = io::read_file(q_.info(id));
  auto text = io::read_file(q_.bounce(id));
  // The message itself is streamed to qmail-queue, never held in memory.
  io::Fd mess = io::open_if_exists(q_.mess(id), O_RDONLY | O_CLOEXEC);
  if (!info || !text || !mess) {
    log(cat("warning: unable to open ", q_.bounce(id).string()));
    return false;
  }
  std::string sender = info_sender(*info);
  if (bounce_kind(sender) == BounceKind::triple) {
    log(logline::triple_bounce(id));
  } else {
    BounceNotice n = compose_bounce(ctl_.bounce, sender, *text, std::time(nullptr));
    std::exception_ptr read_error;  // the message's, not qmail-queue's: for guarded()
    try {
      std::optional<QueueClient> qc;
      {
        SignalsOpen open(open_mask_);
        qc.emplace(home_);
      }
      qc->put(n.head);
      try {
        io::Reader r(mess.get());
        char buf[8192];
        while (std::size_t got = r.read(buf, sizeof buf)) qc->put(std::string_view(buf, got));
      } catch (const std::exception&) {
        read_error = std::current_exception();
      }
      if (!read_error) {
        QueueResult res = qc->finish(Envelope{n.sender, {n.recipient}});
        if (!res.ok()) {
          log("warning: trouble injecting bounce message, will try later");
          return false;
        }
        log(logline::bounce_msg(id, static_cast<long>(qc->qp())));
      }
    } catch (const std::exception&) {
      log("warning: unable to start qmail-queue, will try later");
      return false;
    }
    if (read_error) std::rethrow_exception(read_error);  // qc is gone: nothing was queued
  }
  if (::unlink(q_.bounce(id).c_str()) == -1 && errno != ENOENT) {
    log(cat("warning: unable to unlink ", q_.bounce(id).string(), "; will try again later"));
    return false;
  }
  return true;
}

template <typename F>
bool Sender::guarded(F&& step) {
  try {
    step();
    return true;
  } catch (const std::bad_alloc&) {
    log("alert: out of memory, sleeping...");
    flush_log();
    ::sleep(sleep_alert);
  } catch (const std::exception& e) {
    log(cat("warning: trouble: ", e.what(), "; will try again later"));
  }
  return false;
}

bool Sender::outstanding() const {
  for (const auto& ch : chan_)
    if (ch.alive && ch.inflight > 0) return true;
  return false;
}

// save_retry_times - on exit each channel file's mtime becomes its next
// attempt, which the next start-up reads back.
void Sender::save_retry_times() {
  for (int c = 0; c < 2; ++c)
    for (const auto& [id, when] : chan_[c].sched) {
      struct timeval tv[2] = {{when, 0}, {when, 0}};
      const std::string f = chan_file(c, id);
      if (::utimes(f.c_str(), tv) == -1 && errno != ENOENT)
        log(cat("warning: unable to utime ", f, "; message will be retried too soon"));
    }
}

// wait_until - the earliest moment something is due (now: do not wait).
std::time_t Sender::wait_until(std::time_t now) const {
  std::time_t t = now + max_wait;
  if (!exiting_) {
    if (!todo_.empty()) return now;
    t = std::min({t, next_todo_scan_, next_cleanup_});
    for (int c = 0; c < 2; ++c) {
      const Channel& ch = chan_[c];
      if (!ch.alive) continue;
      if (can_advance(c)) return now;
      if (!ch.pass && ch.used < ch.concurrency && ch.inflight < ch.slots.size())
        for (const auto& [id, when] : ch.sched) t = std::min(t, when);
    }
  }
  for (const auto& [id, when] : done_) t = std::min(t, when);
  return t;
}

int Sender::run() {
  scan_info();
  scan_todo();
  log_status();
  for (;;) {
    if (flag_hup) {
      flag_hup = 0;
      reread_controls();
    }
    if (flag_alarm) {
      flag_alarm = 0;
      std::time_t now = std::time(nullptr);
      for (auto& ch : chan_)
        for (auto& [id, when] : ch.sched) when = now;
    }
    if (flag_term && !exiting_) {
      exiting_ = true;
    }
    std::time_t now = std::time(nullptr);

    // Completions that are due, then new work unless we are leaving.
    for (auto it = done_.begin(); it != done_.end();) {
      if (it->second > now) { ++it; continue; }
      std::uint64_t id = it->first;
      it = done_.erase(it);
      if (!guarded([&] { complete(id); })) done_[id] = now + sleep_sysfail;
    }
    for (int c = 0; c < 2; ++c) {
      Channel& ch = chan_[c];
      if (!exiting_ && ch.alive && !ch.pass && ch.used < ch.concurrency && ch.inflight < ch.slots.size()) {
        auto best = std::min_element(ch.sched.begin(), ch.sched.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
        if (best != ch.sched.end() && best->second <= now) {
          std::uint64_t id = best->first;
          if (!guarded([&] { open_pass(c, id); })) {
            ch.jobs.erase(id);
            ch.pass.reset();
            ch.sched[id] = now + sleep_sysfail;
          }
        }
      }
      advance_pass(c);
    }
    if (!exiting_) {
      if (!todo_.empty()) {
        std::uint64_t id = todo_.front();
        todo_.pop_front();
        guarded([&] { preprocess(id); });  // todo/<id> stays: the next scan retries
      } else if (now >= next_todo_scan_) {
        scan_todo();
      }
      if (now >= next_cleanup_) cleanup_pass();
    }
    if (exiting_ && !outstanding()) {
      for (int c = 0; c < 2; ++c) advance_pass(c);  // closes open passes
      save_retry_times();
      log("status: exiting");
      flush_log();
      return 0;
    }

    // Wait for reports, the trigger, writable command pipes or the next due time.
    std::vector<pollfd> pfd;
    int watch[2] = {-1, -1}, wwatch[2] = {-1, -1}, trig = -1;
    for (int c = 0; c < 2; ++c) {
      if (!chan_[c].alive) continue;
      watch[c] = static_cast<int>(pfd.size());
      pfd.push_back({chan_[c].report_fd, POLLIN, 0});
      if (!chan_[c].pending.empty()) {
        wwatch[c] = static_cast<int>(pfd.size());
        pfd.push_back({chan_[c].cmd_fd, POLLOUT, 0});
      }
    }
    if (trigger_ && !exiting_) {
      trig = static_cast<int>(pfd.size());
      pfd.push_back({trigger_.get(), POLLIN, 0});
    }
    std::time_t until = wait_until(std::time(nullptr));
    std::time_t secs = std::max<std::time_t>(0, until - std::time(nullptr));
    struct timespec ts = {secs, 0};
    flush_log();
    int n = ::ppoll(pfd.data(), pfd.size(), &ts, &open_mask_);
    if (n == -1) {
      if (errno != EINTR) log("warning: trouble in select");
      continue;
    }
    for (int c = 0; c < 2; ++c) {
      if (wwatch[c] >= 0 && pfd[wwatch[c]].revents) flush_command(c);
      if (watch[c] >= 0 && pfd[watch[c]].revents) read_reports(c);
    }
    if (trig >= 0 && pfd[trig].revents) scan_todo();
  }
}

// cannot_start - the one line qmail-send logs instead of "status".
int cannot_start(int log_fd, std::string_view why) {
  std::string line = cat("alert: cannot start: ", why, "\n");
  (void)!::write(log_fd, line.data(), line.size());
  return exit_temp;
}

// read_slots - the byte each spawner writes first: its slot count.
std::optional<unsigned> read_slots(int fd) {
  unsigned char b = 0;
  ssize_t n;
  do n = ::read(fd, &b, 1);
  while (n == -1 && errno == EINTR);
  if (n != 1) return std::nullopt;
  return b;
}

}  // namespace

int run_send(const Home& home, const SendFds& fds) {
  Home abs{fs::absolute(home.root)};
  if (::chdir(abs.root.c_str()) == -1) return cannot_start(fds.log, "unable to switch to home directory");
  Controls controls;
  try {
    controls = read_controls(control::Control(abs));
  } catch (const std::exception&) {
    return cannot_start(fds.log, "unable to read controls");
  }
  if (::chdir("queue") == -1) return cannot_start(fds.log, "unable to switch to queue directory");

  ::signal(SIGPIPE, SIG_IGN);
  sigset_t block, open_mask;
  sigemptyset(&block);
  for (int s : {SIGTERM, SIGALRM, SIGHUP}) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, &open_mask);
  for (int s : {SIGTERM, SIGALRM, SIGHUP}) sigdelset(&open_mask, s);
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, nullptr);
  sa.sa_handler = on_hup;
  sigaction(SIGHUP, &sa, nullptr);
  ::umask(077);

  io::Fd mutex(::open("lock/sendmutex", O_WRONLY | O_CLOEXEC));
  if (!mutex) return cannot_start(fds.log, "unable to open mutex");
  auto lock = io::FileLock::exclusive(mutex.get(), true);
  if (!lock) return cannot_start(fds.log, "qmail-send is already running");

  auto local_slots = read_slots(fds.lspawn_report);
  auto remote_slots = read_slots(fds.rspawn_report);
  if (!local_slots || !remote_slots) return cannot_start(fds.log, "hath the daemon spawn no fire?");

  Sender sender(abs, fds, std::move(controls), *local_slots, *remote_slots, open_mask);
  return sender.run();
}

}  // namespace mta::send
