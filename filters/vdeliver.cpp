// Spec notes: vpopmail's vdelivermail.c as summarised in reference 2b.
// Deviations, see vdelivermail(8) COMPATIBILITY: over quota defers (4.2.2);
// a .qmail with comments only delivers to the Maildir instead of dropping
// the message; forwards are queued directly, not through qmail-inject; the
// loop check reads header lines of any length; no valias, spamc or
// QMAIL_EXT (user-ext) handling.
#include "filters/vdeliver.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <optional>
#include <vector>

#include "filters/quota.h"
#include "filters/virtual.h"
#include "filters/vuser.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/maildir.h"
#include "mta/core/mbox.h"
#include "mta/core/process.h"

namespace filters::vdeliver {

namespace dq = mta::dotqmail;
namespace io = mta::io;
using mta::cat;
using mta::PermError;
using mta::TempError;

namespace {

constexpr std::string_view bad_syntax = "invalid syntax in .qmail-default file";

bool printable_line(std::string_view s) {
  for (unsigned char c : s)
    if (c < ' ' || c == 0x7f) return false;
  return true;
}

void rewind(int fd) {
  if (::lseek(fd, 0, SEEK_SET) == -1) throw TempError("Unable to rewind message.", "4.3.0");
}

// What one delivery needs besides the message.
struct Context {
  const mta::Home& home;
  const dq::Env& env;
  int fd;
  std::string address;  // user@domain
  std::string rpline;
  std::string dtline;   // "Delivered-To: user@domain\n"
  std::time_t now;
};

std::string envelope_sender(const dq::Env& env) {
  if (env.newsender) return *env.newsender;
  return env.sender ? *env.sender : std::string();
}

// Queues our Delivered-To line + the message to addresses and prints
// "vdelivermail: qp N"; a refusal by the queue bounces or defers as it says.
void forward(const Context& c, const std::vector<std::string>& to) {
  rewind(c.fd);
  dq::Forwarded f = dq::queue_forward(c.home, c.fd, c.dtline, mta::Envelope{envelope_sender(c.env), to});
  if (!f.result.ok()) {
    std::string text = cat("Unable to forward message: ", f.result.reason(), ".");
    if (f.result.permanent()) throw PermError(text, "");
    throw TempError(text, "");
  }
  std::cout << "vdelivermail: qp " << f.qp << "\n";
}

// "|command" through /bin/sh -c in dir, as qmail-local runs it. Returns
// false when the program exited 99; throws for 100 and temporary codes.
bool run_program(const Context& c, const fs::path& dir, const std::string& command) {
  rewind(c.fd);
  mta::process::SpawnOptions opt;
  opt.fds = {{0, c.fd}};
  opt.chdir = dir;
  opt.exec_status_from_errno = true;
  opt.exec_error_text = "Unable to run /bin/sh: ";
  std::cout << std::flush;
  const int status = mta::process::wait_for(mta::process::spawn({"/bin/sh", "-c", command}, opt));
  if (WIFSIGNALED(status)) throw TempError("Aack, child crashed.", "4.3.0");
  switch (mta::classify_child_exit(status)) {
    case mta::ChildResult::ok: return true;
    case mta::ChildResult::stop: return false;
    case mta::ChildResult::permanent: throw mta::ExitError(mta::exit_perm);
    case mta::ChildResult::temporary: break;
  }
  throw mta::ExitError(mta::exit_temp);
}

fs::path relative_to(const fs::path& dir, const std::string& path) {
  fs::path p(path);
  return p.is_absolute() ? p : dir / p;
}

// The instructions of dir/.qmail, or nullopt when it has none (absent, or
// comments only: then the Maildir takes the message).
std::optional<dq::Parsed> user_dotqmail(const fs::path& dir) {
  auto contents = io::read_file(dir / ".qmail");
  if (!contents) return std::nullopt;
  dq::Parsed parsed = dq::parse(*contents, ".qmail");
  if (parsed.instructions.empty()) return std::nullopt;
  return parsed;
}

// Delivers into dir: its .qmail, else dir/Maildir/. Returns the exit code.
int deliver_to_dir(const Context& c, const fs::path& dir, const std::optional<quota::Limits>& limits) {
  if (auto parsed = user_dotqmail(dir)) {
    std::vector<std::string> forwards;
    bool stopped = false;
    for (const dq::Instruction& ins : parsed->instructions) {
      switch (ins.kind) {
        case dq::Kind::program:
          stopped = !run_program(c, dir, ins.text);
          break;
        case dq::Kind::maildir:
          rewind(c.fd);
          quota::deliver(relative_to(dir, ins.text), c.fd, cat(c.rpline, c.dtline), std::nullopt, c.address, c.now);
          break;
        case dq::Kind::mbox:
          rewind(c.fd);
          mta::mbox::deliver(relative_to(dir, ins.text), c.fd,
                             cat(c.env.ufline ? *c.env.ufline : dq::ufline(envelope_sender(c.env), c.now), c.rpline,
                                 c.dtline));
          break;
        case dq::Kind::forward:
          forwards.push_back(ins.text);
          break;
      }
      if (stopped) break;
    }
    if (!forwards.empty()) forward(c, forwards);
    return stopped ? mta::exit_stop : mta::exit_ok;
  }
  rewind(c.fd);
  const std::string name = quota::deliver(dir / "Maildir", c.fd, cat(c.rpline, c.dtline), limits, c.address, c.now);
  std::cout << "vdelivermail: " << c.address << " new/" << name << "\n";
  return mta::exit_ok;
}

// The user directory, resolved and checked to lie inside the domain;
// created (mode 0700) when it does not exist yet, as vpopmail does.
fs::path user_dir(const fs::path& domain_dir, const vuser::VUser& u) {
  const fs::path dir = relative_to(domain_dir, u.home).lexically_normal();
  std::error_code ec;
  const fs::path domain = fs::canonical(domain_dir, ec);
  if (ec) throw TempError(cat("unable to resolve ", domain_dir.native(), ": ", ec.message()));
  // Check the path before creating anything, then the real thing.
  const fs::path weak = fs::weakly_canonical(dir, ec);
  if (ec) throw TempError(cat("unable to resolve ", dir.native(), ": ", ec.message()));
  auto [end, unused] = std::mismatch(domain.begin(), domain.end(), weak.begin(), weak.end());
  if (end != domain.end()) throw TempError(cat("directory of ", u.name, " lies outside the domain"), "4.3.5");
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) throw TempError(cat("unable to create ", dir.native(), ": ", ec.message()), "4.2.1");
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  if (!virt::inside(domain, dir)) throw TempError(cat("directory of ", u.name, " lies outside the domain"), "4.3.5");
  return fs::canonical(dir);
}

int no_such_user(const Context& c, const Action& action, const fs::path& domain_dir) {
  switch (action.kind) {
    case ActionKind::discard:
      std::cout << "vdelivermail: no user " << c.address << ": message deleted\n";
      return mta::exit_ok;
    case ActionKind::bounce: {
      auto text = io::read_file(domain_dir / ".no-user.msg");
      std::cout << (text ? *text : cat(no_user_text, "\n")) << std::flush;
      return mta::exit_perm;
    }
    case ActionKind::forward:
      forward(c, {action.target});
      return mta::exit_ok;
    case ActionKind::mailbox:
      return deliver_to_dir(c, action.target, std::nullopt);
  }
  return mta::exit_temp;
}

}  // namespace

Action parse_action(std::string_view text) {
  if (text == "bounce-no-mailbox") return {ActionKind::bounce, ""};
  if (text == "delete") return {ActionKind::discard, ""};
  if (!text.empty() && printable_line(text) && text.find(' ') == std::string_view::npos) {
    if (text.front() == '/' && text.find("/../") == std::string_view::npos) return {ActionKind::mailbox, std::string(text)};
    const std::size_t at = text.rfind('@');
    if (text.front() != '/' && at != std::string_view::npos && at > 0 && at + 1 < text.size())
      return {ActionKind::forward, std::string(text)};
  }
  throw TempError(std::string(bad_syntax), "4.3.5");
}

int run(int argc, char** argv, const dq::Env& env, int message_fd, const mta::Home& home, std::time_t now) {
  if (argc != 3) throw TempError(std::string(bad_syntax), "4.3.5");
  const Action action = parse_action(argv[2]);
  const std::string user = virt::checked_ext(env.need("EXT"));
  const std::string domain = virt::checked_host(env.need("HOST"));
  const fs::path domain_dir = env.home ? fs::path(*env.home) : fs::current_path();

  Context c{home, env, message_fd, cat(user, "@", domain), "", "", now};
  c.rpline = env.rpline ? *env.rpline : dq::rpline(env.sender ? *env.sender : "");
  c.dtline = dq::dtline(user, domain);
  virt::check_loop(message_fd, {c.dtline, env.dtline ? *env.dtline : ""});

  auto account = vuser::lookup(domain_dir, user);
  int rc;
  if (!account) {
    rc = no_such_user(c, action, domain_dir);
  } else {
    auto limits = quota::parse_spec(account->shell);
    rc = deliver_to_dir(c, user_dir(domain_dir, *account), limits);
  }
  std::cout << std::flush;
  return rc;
}

}  // namespace filters::vdeliver
