#include "mta/send/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <list>
#include <tuple>

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"
#include "mta/send/bounce.h"

namespace mta::spawn {

// --- commands ---------------------------------------------------------------------

void CommandParser::feed(std::string_view bytes) { buf_.append(bytes); }

std::optional<Command> CommandParser::next() {
  // A command is complete once three NULs follow the slot byte.
  if (buf_.size() < 4) return std::nullopt;
  std::size_t a = buf_.find('\0', 1);
  if (a == buf_.npos) return std::nullopt;
  std::size_t b = buf_.find('\0', a + 1);
  if (b == buf_.npos) return std::nullopt;
  std::size_t c = buf_.find('\0', b + 1);
  if (c == buf_.npos) return std::nullopt;
  Command cmd;
  cmd.slot = static_cast<unsigned char>(buf_[0]);
  cmd.message = buf_.substr(1, a - 1);
  cmd.sender = buf_.substr(a + 1, b - a - 1);
  cmd.recipient = buf_.substr(b + 1, c - b - 1);
  buf_.erase(0, c + 1);
  return cmd;
}

std::optional<std::string> validate(const Command& c, int slots, const std::vector<bool>& in_use) {
  if (c.slot >= slots) return "ZInternal error: delnum too big. (#4.3.5)\n";
  if (c.slot < in_use.size() && in_use[c.slot]) return "ZInternal error: delnum in use. (#4.3.5)\n";
  for (std::size_t i = 0; i < c.message.size(); ++i) {
    char ch = c.message[i];
    if ((ch < '0' || ch > '9') && (i == 0 || ch != '/'))
      return "DInternal error: messid has nonnumerics. (#5.3.5)\n";
  }
  if (c.message.size() > 100) return "DInternal error: messid too long. (#5.3.5)\n";
  if (c.message.empty()) return "DInternal error: messid too short. (#5.3.5)\n";
  if (c.recipient.find('@') == std::string::npos) return "DSorry, address must include host name. (#5.1.3)\n";
  return std::nullopt;
}

std::pair<std::string_view, std::string_view> split_recipient(std::string_view r) {
  auto s = address::split_at_last(r);
  return {s.local, s.domain};
}

// --- output and reports -----------------------------------------------------------------

void Output::append(std::string_view bytes) {
  static constexpr std::string_view notice = "\nError report too long, sorry.\n";
  if (full_) return;
  if (text_.size() + bytes.size() <= limit_) {
    text_.append(bytes);
    return;
  }
  // Cut so that text and notice together stay within the limit.
  std::size_t keep = limit_ > notice.size() ? limit_ - notice.size() : 0;
  if (text_.size() < keep)
    text_.append(bytes.substr(0, keep - text_.size()));
  else
    text_.resize(keep);
  text_.append(notice);
  full_ = true;
}

namespace {
std::string_view upto_nul(std::string_view s) { return s.substr(0, s.find('\0')); }
}  // namespace

std::string lspawn_report(int ws, std::string_view output) {
  if (WIFSIGNALED(ws)) return "Zqmail-local crashed.\n";
  if (!WIFEXITED(ws)) return "Zqmail-local crashed.\n";
  int code = WEXITSTATUS(ws);
  switch (code) {
    case 112: return "ZInternal qmail-lspawn bug.\n";
    case 113: return "ZNot allowed to perform deliveries as root.\n";
    case 115: return "ZNFS failure in qmail-local.\n";
    case 116: return "ZUnable to find alias user!\n";
    case 117: return "ZTrouble reading users/cdb in qmail-lspawn.\n";
    case 118: return "ZTemporary failure in qmail-lspawn.\n";
    case 119: return "ZOut of memory in qmail-lspawn.\n";
    case 120: return "ZUnable to run qmail-local.\n";
    case 121: return "ZUnable to run qmail-getpw.\n";
    case 126: return "DUnable to run qmail-local.\n";
    default: break;
  }
  char status = 'D';
  if (code == 0) status = 'K';
  if (code == 111 || code == 71 || code == 74 || code == 75) status = 'Z';
  std::string out(1, status);
  out += upto_nul(output);
  return out;
}

std::string rspawn_report(int ws, std::string_view s) {
  if (!WIFEXITED(ws)) return "Zqmail-remote crashed.\n";
  int code = WEXITSTATUS(ws);
  if (code == 111) return "ZUnable to run qmail-remote.\n";
  if (code != 0) return "DUnable to run qmail-remote.\n";
  if (s.empty()) return "Zqmail-remote produced no output.\n";

  // result: the first report that starts with K, Z or D (none: permanent).
  enum { perm = -1, temp = 0, ok = 1 };
  int result = perm;
  for (std::size_t j = 0, k = 0; k < s.size(); ++k) {
    if (s[k] != '\0') continue;
    if (s[j] == 'K') { result = ok; break; }
    if (s[j] == 'Z') { result = temp; break; }
    if (s[j] == 'D') break;
    j = k + 1;
  }
  // The first report's letter overrides: s(oft) is temporary, h(ard) permanent.
  int orr = result;
  if (s[0] == 's') orr = temp;
  if (s[0] == 'h') orr = perm;

  std::string out(1, orr == ok ? 'K' : orr == temp ? 'Z' : 'D');
  for (std::size_t k = 1; k < s.size();) {
    if (s[k++] != '\0') continue;
    out += upto_nul(s.substr(1));
    if (result <= orr && k < s.size() && (s[k] == 'Z' || s[k] == 'D' || s[k] == 'K'))
      out += upto_nul(s.substr(k + 1));
    break;
  }
  return out;
}

std::vector<std::string> rspawn_reports(int ws, std::string_view s, std::size_t n) {
  // One recipient: exactly qmail's synthesis, whatever the output holds.
  if (n == 1 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || s.empty())
    return std::vector<std::string>(n, rspawn_report(ws, s));

  // The leading r/h/s reports, one per recipient; the rest is the message's.
  std::vector<std::string_view> own;
  std::size_t pos = 0;
  while (own.size() < n && pos < s.size()) {
    char letter = s[pos];
    if (letter != 'r' && letter != 'h' && letter != 's') break;
    std::size_t end = s.find('\0', pos);
    if (end == s.npos) break;  // cut short: no complete report
    own.push_back(s.substr(pos, end + 1 - pos));
    pos = end + 1;
  }
  std::string_view message = s.substr(pos);
  // Once a recipient was accepted, the message report is about the
  // accepted ones; a refused one would have heard "Giving up" alone.
  bool accepted = false;
  for (auto r : own) accepted = accepted || r[0] == 'r';

  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    // What qmail-remote would have said with this recipient alone, kept
    // within qmail's limit before the synthesis as a single run's is.
    Output alone;
    if (i < own.size() && own[i][0] == 'r' && own[i].size() > 2) {
      // "r<text>": the recipient had a transaction of its own (a VERP
      // batch, one-click copies) and <text> is what the server said about
      // it, the K report a run for it alone would have ended with.
      alone.append(std::string_view("r\0K", 3));
      alone.append(own[i].substr(1));
      out.push_back(rspawn_report(ws, alone.text()));
      continue;
    }
    if (i < own.size()) alone.append(own[i]);
    if (i >= own.size() || own[i][0] == 'r' || !accepted) alone.append(message);
    out.push_back(rspawn_report(ws, alone.text()));
  }
  return out;
}

void Driver::batch_child(const std::vector<Command>& batch) {
  child(batch.front());
  ::_exit(111);  // not reached: child() does not return
}

std::string batch_sender(const Command& c) {
  return send::verp_template(c.sender, c.recipient).value_or(c.sender);
}

bool same_batch(const Command& a, const Command& b, bool verp) {
  return a.message == b.message && (verp ? batch_sender(a) == batch_sender(b) : a.sender == b.sender) &&
         address::iequals(split_recipient(a.recipient).second, split_recipient(b.recipient).second);
}

std::vector<Command> take_batch(std::deque<Command>& waiting, std::size_t limit, bool verp) {
  std::vector<Command> batch;
  if (waiting.empty()) return batch;
  batch.push_back(std::move(waiting.front()));
  waiting.pop_front();
  for (auto it = waiting.begin(); it != waiting.end() && batch.size() < limit;) {
    if (same_batch(batch.front(), *it, verp)) {
      batch.push_back(std::move(*it));
      it = waiting.erase(it);
    } else {
      ++it;
    }
  }
  return batch;
}

// --- the loop ----------------------------------------------------------------------------

namespace {

// A running child and the slots it answers for.
struct Child {
  pid_t pid = -1;
  io::Fd out;    // the pipe; reset at EOF
  io::Fd pidfd;  // opened at EOF if the child has not exited by then
  Output output;
  std::vector<unsigned char> slots;
};

void append_report(std::string& buf, unsigned char slot, std::string_view text) {
  buf += static_cast<char>(slot);
  buf += text;
  buf += '\0';
}

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// start - open the message and fork the child for a batch; a report text on failure
std::optional<std::string> start(Driver& driver, const std::vector<Command>& batch, uid_t owner, Child& ch) {
  const Command& c = batch.front();
  io::Fd mess(::open(c.message.c_str(), O_RDONLY | O_CLOEXEC));
  if (!mess) return "Zqmail-spawn unable to open message. (#4.3.0)\n";
  struct stat st;
  if (::fstat(mess.get(), &st) == -1) return "Zqmail-spawn unable to fstat message. (#4.3.0)\n";
  if (!S_ISREG(st.st_mode)) return "ZSorry, message has wrong type. (#4.3.5)\n";
  // Damage control: the queue owner has to be trusted.
  if (st.st_uid != owner) return "ZSorry, message has wrong owner. (#4.3.5)\n";
  io::Fd rd, wr;
  try {
    std::tie(rd, wr) = process::make_pipe();
  } catch (const MailError&) {
    return "Zqmail-spawn unable to create pipe. (#4.3.0)\n";
  }
  pid_t pid = ::fork();
  if (pid == -1) return "Zqmail-spawn unable to fork. (#4.3.0)\n";
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(mess.get(), 0) == -1 || ::dup2(wr.get(), 1) == -1 || ::dup2(wr.get(), 2) == -1) ::_exit(111);
    if (batch.size() == 1) driver.child(c);
    driver.batch_child(batch);
  }
  ch.pid = pid;
  ch.out = std::move(rd);
  ch.output = Output(output_limit * batch.size());
  for (const auto& b : batch) ch.slots.push_back(b.slot);
  return std::nullopt;
}

// Spawner - the state of run(): slots in use, commands waiting, children.
class Spawner {
 public:
  Spawner(Driver& driver, uid_t owner, int slots)
      : driver_(driver), owner_(owner), slots_(slots), in_use_(static_cast<std::size_t>(slots), false) {}
  int run();

 private:
  void read_commands();
  void dispatch();
  void child_output(Child& ch);
  void finish(std::list<Child>::iterator it, int status);
  void flush();

  Driver& driver_;
  uid_t owner_;
  int slots_;
  std::vector<bool> in_use_;
  std::deque<Command> waiting_;
  std::list<Child> children_;
  CommandParser parser_;
  bool input_open_ = true;
  std::string reports_;  // written at the end of each round, in one write
  std::vector<char> buf_ = std::vector<char>(65536);
};

// read_commands - read fd 0 until nothing more is there right now, so that
// commands written together are batched together; validate each.
void Spawner::read_commands() {
  for (;;) {
    ssize_t r = ::read(STDIN_FILENO, buf_.data(), buf_.size());
    if (r == -1 && errno == EINTR) continue;
    if (r == -1 && errno == EAGAIN) break;
    if (r <= 0) {
      input_open_ = false;
      break;
    }
    parser_.feed(std::string_view(buf_.data(), static_cast<std::size_t>(r)));
    pollfd more{STDIN_FILENO, POLLIN, 0};
    if (::poll(&more, 1, 0) != 1) break;
  }
  while (auto c = parser_.next()) {
    if (auto err = validate(*c, slots_, in_use_)) {
      append_report(reports_, c->slot, *err);
      continue;
    }
    in_use_[c->slot] = true;
    waiting_.push_back(std::move(*c));
  }
}

// dispatch - start children for the waiting commands while the driver allows.
void Spawner::dispatch() {
  std::size_t limit = std::max<std::size_t>(1, driver_.child_limit());
  while (!waiting_.empty() && children_.size() < limit) {
    std::vector<Command> batch = take_batch(waiting_, std::max<std::size_t>(1, driver_.batch_limit()), driver_.verp_batches());
    Child ch;
    if (auto err = start(driver_, batch, owner_, ch)) {
      for (const auto& c : batch) {
        append_report(reports_, c.slot, *err);
        in_use_[c.slot] = false;
      }
      continue;
    }
    children_.push_back(std::move(ch));
  }
}

void Spawner::child_output(Child& ch) {
  ssize_t r = ::read(ch.out.get(), buf_.data(), buf_.size());
  if (r == -1 && (errno == EINTR || errno == EAGAIN)) return;
  if (r > 0) {
    ch.output.append(std::string_view(buf_.data(), static_cast<std::size_t>(r)));
    return;
  }
  ch.out = io::Fd();
}

void Spawner::finish(std::list<Child>::iterator it, int status) {
  auto texts = driver_.batch_reports(status, it->output.text(), it->slots.size());
  for (std::size_t i = 0; i < it->slots.size(); ++i) {
    append_report(reports_, it->slots[i], i < texts.size() ? texts[i] : texts.back());
    in_use_[it->slots[i]] = false;
  }
  children_.erase(it);
}

void Spawner::flush() {
  if (reports_.empty()) return;
  io::write_all(STDOUT_FILENO, reports_);
  reports_.clear();
}

int Spawner::run() {
  ::signal(SIGPIPE, SIG_IGN);
  io::write_all(STDOUT_FILENO, std::string(1, static_cast<char>(slots_)));
  for (;;) {
    flush();  // first: qmail-send may refill the slots while we fork
    dispatch();
    flush();
    if (!input_open_ && children_.empty() && waiting_.empty()) return exit_ok;

    std::vector<pollfd> fds;
    std::vector<std::list<Child>::iterator> owner;
    if (input_open_) fds.push_back({STDIN_FILENO, POLLIN, 0});
    for (auto it = children_.begin(); it != children_.end(); ++it) {
      fds.push_back({it->out ? it->out.get() : it->pidfd.get(), POLLIN, 0});
      owner.push_back(it);
    }
    if (::poll(fds.data(), fds.size(), -1) == -1) {
      if (errno == EINTR) continue;
      throw_errno("unable to poll");
    }
    std::size_t first_child = input_open_ ? 1 : 0;

    // Children: output until EOF, then the exit, then the reports.
    for (std::size_t i = first_child; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      auto it = owner[i - first_child];
      if (it->out) {
        child_output(*it);
        if (it->out) continue;
        int status = 0;
        pid_t w;
        do w = ::waitpid(it->pid, &status, WNOHANG);
        while (w == -1 && errno == EINTR);
        if (w == it->pid) {
          finish(it, status);
          continue;
        }
        // Output closed but still running: wait through poll, not here.
        it->pidfd = io::Fd(open_pidfd(it->pid));
        if (it->pidfd) continue;
      }
      finish(it, process::wait_for(it->pid));
    }

    if (input_open_ && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) read_commands();
  }
}

}  // namespace

int run(Driver& driver, uid_t owner, int slots) {
  Spawner spawner(driver, owner, slots);
  return spawner.run();
}

}  // namespace mta::spawn
