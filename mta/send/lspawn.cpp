#include "mta/send/lspawn.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <tuple>
#include <vector>

#include "mta/core/cdb.h"
#include "mta/core/control.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"
#include "mta/local/users.h"
#include "mta/render/oneclick.h"

namespace mta::spawn {

namespace {

[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv, bool use_path, int soft, int hard) {
  process::exec(argv, use_path);
  ::_exit(errno_is_temporary(errno) ? soft : hard);
}

// become - drop to uid/gid for good (root mode only)
bool become(uid_t uid, gid_t gid) {
  return ::setgroups(1, &gid) == 0 && ::setgid(gid) == 0 && ::setuid(uid) == 0;
}

// unprivileged - qmailp:nofiles, the account that reads what root must not
// (qmail-getpw's output, a message to render); nullopt in a sandbox, where
// nothing changes uid. Exits the child when the account is missing.
std::optional<std::pair<uid_t, gid_t>> unprivileged(bool sandbox) {
  if (sandbox) return std::nullopt;
  struct passwd* pw = ::getpwnam("qmailp");
  struct group* g = ::getgrnam("nofiles");
  if (!pw || !g) ::_exit(qlx_sys);
  return std::pair{pw->pw_uid, g->gr_gid};
}

// getpw - run bin/qmail-getpw LOCAL (as qmailp:nofiles in root mode); exits the child on trouble
users::Assignment getpw(const std::string& local, bool sandbox) {
  auto qmailp = unprivileged(sandbox);
  io::Fd rd, wr;
  try {
    std::tie(rd, wr) = process::make_pipe();
  } catch (const MailError&) {
    ::_exit(qlx_sys);
  }
  pid_t pid = ::fork();
  if (pid == -1) ::_exit(qlx_sys);
  if (pid == 0) {
    if (::dup2(wr.get(), 1) == -1) ::_exit(qlx_sys);
    if (qmailp && !become(qmailp->first, qmailp->second)) ::_exit(qlx_sys);
    exec_or_exit({"bin/qmail-getpw", local}, false, qlx_execpw, qlx_execpw);
  }
  wr.reset();
  std::string out;
  try {
    out = io::Reader(rd.get()).read_all();
  } catch (const std::exception&) {
    ::_exit(qlx_sys);
  }
  int ws = process::wait_for(pid);
  if (!WIFEXITED(ws)) ::_exit(qlx_sys);
  if (WEXITSTATUS(ws) != 0) ::_exit(WEXITSTATUS(ws));
  auto a = users::parse_fields(out);
  if (!a) ::_exit(qlx_sys);
  return *a;
}

std::optional<users::Assignment> from_cdb(const std::string& local) {
  try {
    auto db = cdb::Reader::open("users/cdb");
    if (!db) return std::nullopt;
    return users::lookup_cdb(local, [&](std::string_view key) { return db->find(key); });
  } catch (const std::bad_alloc&) {
    ::_exit(qlx_nomem);
  } catch (const std::exception&) {
    ::_exit(qlx_cdb);
  }
}

std::optional<unsigned long> number(const std::string& s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  char* end = nullptr;
  unsigned long v = std::strtoul(s.c_str(), &end, 10);
  if (*end) return std::nullopt;
  return v;
}

// render_copy - a list post marked for one-click rendering (oneclick.h)
// becomes the recipient's own copy on fd 0 before the child becomes the
// user, so that qmail-local and every program the user's .qmail runs only
// ever see that copy. The marker holds the message's key: a local user who
// read it could make the one-click token of any other subscriber (reopening
// the 0644 queue file through /proc/PID/fd/0 of their own qmail-local is
// enough when bin/qmail-local is readable, not 0711). Nothing the message says is
// parsed as root: root makes the temporary file, and a child of its own,
// as qmailp:nofiles (like qmail-getpw), reads the message and writes the
// copy. That child is forked only when a plain byte search finds the
// marker's name in the header. A copy that cannot be made defers the
// delivery with qmail-local's own text. qmail-local renders too, for a
// marked message handed to it some other way.
void render_copy(const std::string& address, const std::string& sender, bool sandbox) {
  if (!oneclick::may_carry_marker(0)) return;
  auto renderer = unprivileged(sandbox);
  auto refuse = [](const char* what) {
    io::write_all(1, cat(oneclick::render_failure(what), " (#4.3.0)\n"));
    ::_exit(exit_temp);
  };
  io::Fd copy;
  try {
    copy = oneclick::copy_file();
  } catch (const TempError& e) {
    refuse(e.what());
  }
  pid_t pid = ::fork();
  if (pid == -1) ::_exit(qlx_sys);
  if (pid == 0) {
    if (renderer && !become(renderer->first, renderer->second)) ::_exit(qlx_sys);
    try {
      ::_exit(oneclick::render_local_to(0, sender, address, copy.get()) ? 0 : 1);
    } catch (const TempError& e) {
      refuse(e.what());
    } catch (...) {
      ::_exit(qlx_sys);
    }
  }
  int ws = process::wait_for(pid);
  if (!WIFEXITED(ws)) ::_exit(qlx_sys);
  switch (WEXITSTATUS(ws)) {
    case 0:  // rendered: the copy takes the message's place
      if (::lseek(copy.get(), 0, SEEK_SET) < 0 || ::dup2(copy.get(), 0) == -1) ::_exit(qlx_sys);
      return;
    case 1:  // no marker after all (the name was in the header, not as a field of ours)
      if (::lseek(0, 0, SEEK_SET) < 0) ::_exit(qlx_sys);
      return;
    case exit_temp:  // the renderer wrote qmail-local's text to the report
      ::_exit(exit_temp);
    default:
      ::_exit(qlx_sys);
  }
}

}  // namespace

void LocalDriver::child(const Command& c) {
  try {
    auto [local_v, domain_v] = split_recipient(c.recipient);
    // The trash address: "@host" is delivered by doing nothing.
    if (local_v.empty()) ::_exit(0);
    std::string local(local_v), domain(domain_v);
    if (::chdir(home_.root.c_str()) == -1) ::_exit(qlx_usage);

    auto a = from_cdb(local);
    if (!a) a = getpw(local, sandbox_);
    render_copy(cat(local, "@", domain), c.sender, sandbox_);

    if (!sandbox_) {
      auto uid = number(a->uid), gid = number(a->gid);
      if (!uid || !gid) ::_exit(qlx_sys);
      if (!become(static_cast<uid_t>(*uid), static_cast<gid_t>(*gid))) ::_exit(qlx_usage);
      if (::getuid() == 0) ::_exit(qlx_root);
    }
    exec_or_exit({"bin/qmail-local", "--", a->user, a->home, local, a->dash, a->ext, domain, c.sender,
                  default_delivery_},
                 false, qlx_execsoft, qlx_exechard);
  } catch (const std::bad_alloc&) {
    ::_exit(qlx_nomem);
  } catch (...) {
    ::_exit(qlx_sys);
  }
}

void RemoteDriver::child(const Command& c) { exec_remote({c}); }

void RemoteDriver::batch_child(const std::vector<Command>& batch) { exec_remote(batch); }

void RemoteDriver::exec_remote(const std::vector<Command>& batch) {
  const Command& c = batch.front();
  auto [local, domain] = split_recipient(c.recipient);
  const char* remote = std::getenv("QMAILREMOTE");
  std::string prog = remote && *remote ? remote : (home_.bin() / "qmail-remote").string();
  // A batch of VERP deliveries gets its template: qmail-remote expands it
  // per recipient (qmail-remote(8)). A lone delivery keeps its own sender,
  // byte for byte what qmail's qmail-rspawn would pass.
  std::string sender = batch.size() > 1 && verp_batches() ? batch_sender(c) : c.sender;
  std::vector<std::string> argv{prog, std::string(domain), std::move(sender)};
  for (const auto& b : batch) argv.push_back(b.recipient);
  exec_or_exit(argv, true, 111, 100);
}

bool RemoteDriver::verp_batches() {
  const char* remote = std::getenv("QMAILREMOTE");
  return !(remote && *remote);
}

// child_limit - control/concurrencyremote, the number of qmail-remote runs
// (SMTP connections) at once. A stat per call notices an edit without a
// restart: qmail-rspawn gets no HUP of its own.
std::size_t RemoteDriver::child_limit() {
  const std::string f = (home_.control() / "concurrencyremote").string();
  struct stat st {};
  bool exists = ::stat(f.c_str(), &st) == 0;
  if (read_once_ && exists && st.st_mtim.tv_sec == seen_.tv_sec && st.st_mtim.tv_nsec == seen_.tv_nsec)
    return connections_;
  if (read_once_ && !exists && seen_.tv_sec == 0 && seen_.tv_nsec == 0) return connections_;
  read_once_ = true;
  seen_ = exists ? st.st_mtim : timespec{};
  connections_ = 20;
  if (auto text = io::read_file(f))
    if (auto n = control::parse_number(*text)) connections_ = *n;
  return connections_;
}

void clear_tcpto(const Home& home) {
  io::Fd fd(::open((home.queue() / "lock" / "tcpto").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return;
  std::string zeros(1024, '\0');
  try {
    io::write_all(fd.get(), zeros);
  } catch (const MailError&) {
  }
}

}  // namespace mta::spawn
