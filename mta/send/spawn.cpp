#include "mta/send/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <tuple>

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"

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
  if (text_.size() + bytes.size() <= output_limit) {
    text_.append(bytes);
    return;
  }
  // Cut so that text and notice together stay within the limit.
  std::size_t keep = output_limit - notice.size();
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

// --- the loop ----------------------------------------------------------------------------

namespace {

struct Delivery {
  pid_t pid = -1;
  io::Fd out;
  Output output;
};

void send_report(unsigned char slot, std::string_view text) {
  std::string r(1, static_cast<char>(slot));
  r += text;
  r += '\0';
  io::write_all(STDOUT_FILENO, r);
}

// start - open the message and fork the child; a report text on failure
std::optional<std::string> start(Driver& driver, const Command& c, uid_t owner, Delivery& d) {
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
    driver.child(c);
  }
  d.pid = pid;
  d.out = std::move(rd);
  d.output = Output();
  return std::nullopt;
}

}  // namespace

int run(Driver& driver, uid_t owner, int slots) {
  ::signal(SIGPIPE, SIG_IGN);
  io::write_all(STDOUT_FILENO, std::string(1, static_cast<char>(slots)));
  std::vector<bool> in_use(static_cast<std::size_t>(slots), false);
  std::map<unsigned char, Delivery> running;
  CommandParser parser;
  bool input_open = true;

  while (input_open || !running.empty()) {
    std::vector<pollfd> fds;
    std::vector<unsigned char> slot_of;
    if (input_open) fds.push_back({STDIN_FILENO, POLLIN, 0});
    for (auto& [slot, d] : running) {
      fds.push_back({d.out.get(), POLLIN, 0});
      slot_of.push_back(slot);
    }
    if (::poll(fds.data(), fds.size(), -1) == -1) {
      if (errno == EINTR) continue;
      throw_errno("unable to poll");
    }
    std::size_t first_child = input_open ? 1 : 0;
    char buf[4096];

    // Children's output; EOF means the child is done: reap and report.
    for (std::size_t i = first_child; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      unsigned char slot = slot_of[i - first_child];
      Delivery& d = running[slot];
      ssize_t r = ::read(d.out.get(), buf, sizeof buf);
      if (r == -1 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r > 0) {
        d.output.append(std::string_view(buf, static_cast<std::size_t>(r)));
        continue;
      }
      int status = process::wait_for(d.pid);
      send_report(slot, driver.report(status, d.output.text()));
      in_use[slot] = false;
      running.erase(slot);
    }

    // New commands.
    if (input_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = ::read(STDIN_FILENO, buf, sizeof buf);
      if (r == -1 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        input_open = false;
        continue;
      }
      parser.feed(std::string_view(buf, static_cast<std::size_t>(r)));
      while (auto c = parser.next()) {
        if (auto err = validate(*c, slots, in_use)) {
          send_report(c->slot, *err);
          continue;
        }
        Delivery d;
        if (auto err = start(driver, *c, owner, d)) {
          send_report(c->slot, *err);
          continue;
        }
        in_use[c->slot] = true;
        running.emplace(c->slot, std::move(d));
      }
    }
  }
  return exit_ok;
}

}  // namespace mta::spawn
