// Spec notes: reference 7 (qmail-local.c). Deviations, see qmail-local(8)
// COMPATIBILITY: Maildir deliveries run in-process (no child, no 24 h alarm);
// a NUL byte in a .qmail file defers instead of cutting the line.
#include "mta/local/local.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "mta/core/cli.h"
#include "mta/core/dotqmail.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/maildir.h"
#include "mta/core/mbox.h"
#include "mta/core/process.h"
#include "mta/render/oneclick.h"

namespace mta::local {

namespace {

namespace dq = mta::dotqmail;

constexpr std::string_view usage_text =
    "qmail-local: usage: qmail-local [ -nN ] user homedir local dash ext domain sender aliasempty";

void rewind(int fd) {
  if (::lseek(fd, 0, SEEK_SET) == -1) throw TempError("Unable to rewind message.", "4.3.0");
}

void say(std::string_view text) { io::write_all(1, text); }

// Pre-checks 1 and 2 of reference 7.2: the home must be usable and not open
// to others; a sticky home means "the user is editing .qmail: come back later".
void check_home(const Args& a) {
  if (::chdir(a.home.c_str()) == -1)
    throw TempError(cat("Unable to switch to ", a.home, ": ", std::strerror(errno), "."), "4.3.0");
  struct stat st {};
  if (::stat(".", &st) == -1)
    throw TempError(cat("Unable to switch to ", a.home, ": ", std::strerror(errno), "."), "4.3.0");
  if (st.st_mode & 002) throw TempError("Uh-oh: home directory is writable.", "4.7.0");
  if (st.st_mode & 01000) {
    if (a.deliver) throw TempError("Home directory is sticky: user is editing his .qmail file.", "4.2.1");
    io::write_all(2, "Warning: home directory is sticky.\n");
  }
}

// Pre-check 4: a header line byte-identical to our Delivered-To line means
// this message has been here before.
void check_loop(int fd, std::string_view dtline) {
  rewind(fd);
  io::Reader in(fd);
  std::string line;
  const std::string_view want = dtline.substr(0, dtline.size() - 1);  // without '\n'
  for (;;) {
    io::Reader::Got got;
    try {
      got = in.getline(line);
    } catch (const MailError& e) {
      throw TempError(cat("Unable to read message: ", e.what(), "."), "4.3.0");
    }
    if (got == io::Reader::Got::nothing || line.empty()) return;
    if (got == io::Reader::Got::line && line == want)
      throw PermError("This message is looping: it already has my Delivered-To line.", "5.4.6");
    if (got == io::Reader::Got::partial) return;
  }
}

// Runs "|command" through the user's shell and maps its exit (reference 7.7).
// Returns false when the program asked to stop (99).
bool run_program(const std::string& command, int fd, const dq::Env& env) {
  rewind(fd);
  process::SpawnOptions opt;
  opt.fds = {{0, fd}};
  opt.setenv = env.to_environment();
  if (!env.default_) opt.unsetenv = {"DEFAULT"};
  // As qmail's child: a shell that cannot be run exits 111 or 100 by errno.
  opt.exec_status_from_errno = true;
  opt.exec_error_text = "Unable to run /bin/sh: ";
  const int status = process::wait_for(process::spawn({"/bin/sh", "-c", command}, opt));
  if (WIFSIGNALED(status)) throw TempError("Aack, child crashed.", "4.3.0");
  switch (classify_child_exit(status)) {
    case ChildResult::ok: return true;
    case ChildResult::stop: return false;
    case ChildResult::permanent: throw ExitError(exit_perm);  // the program said why
    case ChildResult::temporary: break;
  }
  throw ExitError(exit_temp);
}

// Queues DTLINE + the message once, to every collected forward. Returns qp.
pid_t forward(const Home& qmail, int fd, const std::vector<std::string>& to, const dq::Env& env) {
  rewind(fd);
  dq::Forwarded f;
  try {
    f = dq::queue_forward(qmail, fd, *env.dtline, Envelope{*env.newsender, to});
  } catch (const dq::ReadError& e) {
    throw TempError(cat("Unable to read message: unable to read: ", std::strerror(e.err), "."), "4.3.0");
  }
  if (f.result.ok()) return f.qp;
  std::string text = cat("Unable to forward message: ", f.result.reason(), ".");
  if (f.result.permanent()) throw PermError(text, "");
  throw TempError(text, "");
}

// What the instructions did so far: the "did f+w+p" counts and the forwards.
struct Tally {
  int files = 0, programs = 0;
  std::vector<std::string> forwards;
};

// Carries out (or, with -n, prints) one instruction. Returns false when a
// program exited 99: the following lines are skipped.
bool carry_out(const dq::Instruction& ins, bool forward_only, const Args& a, int fd, const dq::Env& env,
               Tally& tally) {
  switch (ins.kind) {
    case dq::Kind::mbox:
    case dq::Kind::maildir:
      if (forward_only) throw TempError("Uh-oh: .qmail has file delivery but has x bit set.", "4.7.0");
      ++tally.files;
      if (!a.deliver) {
        say(cat(ins.kind == dq::Kind::mbox ? "mbox " : "maildir ", ins.text, "\n"));
        return true;
      }
      rewind(fd);
      if (ins.kind == dq::Kind::mbox)
        mbox::deliver(ins.text, fd, cat(*env.ufline, *env.rpline, *env.dtline));
      else
        maildir::deliver(ins.text, fd, cat(*env.rpline, *env.dtline));
      return true;
    case dq::Kind::program:
      if (forward_only) throw TempError("Uh-oh: .qmail has prog delivery but has x bit set.", "4.7.0");
      ++tally.programs;
      if (!a.deliver) {
        say(cat("program ", ins.text, "\n"));
        return true;
      }
      return run_program(ins.text, fd, env);
    case dq::Kind::forward:
      if (!a.deliver) say(cat("forward ", ins.text, "\n"));
      tally.forwards.push_back(ins.text);
      return true;
  }
  return true;
}

}  // namespace

Args parse_args(int argc, char** argv) {
  cli::po::options_description opts;
  opts.add_options()(",n", "print the instructions, deliver nothing")(",N", "deliver (default)");
  cli::Parsed p;
  try {
    p = cli::parse(argc, argv, opts);
  } catch (const UsageError&) {
    throw UsageError(std::string(usage_text));
  }
  Args a;
  for (const std::string& o : p.order) a.deliver = (o != "-n" && o != "n");
  if (p.positional.size() != 8 || p.positional[1].empty() || p.positional[1][0] != '/')
    throw UsageError(std::string(usage_text));
  a.user = p.positional[0];
  a.home = p.positional[1];
  a.local = p.positional[2];
  a.dash = p.positional[3];
  a.ext = p.positional[4];
  a.host = p.positional[5];
  a.sender = p.positional[6];
  a.defaultdelivery = p.positional[7];
  return a;
}

int deliver(const Args& a, int fd, const Home& qmail, std::time_t now) {
  check_home(a);
  const std::string dtline = dq::dtline(a.local, a.host);
  if (a.deliver) check_loop(fd, dtline);

  // Which .qmail file, and what it says.
  dq::Found found = dq::qmesearch(".", a.dash, a.ext);
  if (!found.file && !a.dash.empty())
    throw PermError("Sorry, no mailbox here by that name.", "5.1.1");
  std::string name = found.file ? found.file->name : std::string(".qmail");
  if (found.contents.empty()) {
    found.contents = a.defaultdelivery;
    found.forward_only = false;
    name = "defaultdelivery";
  }
  const dq::Parsed parsed = dq::parse(found.contents, name);

  const dq::Params params{a.user, a.home, a.local, a.dash, a.ext, a.host, a.sender};
  std::optional<std::string> default_part;
  if (found.file) default_part = found.file->default_part;
  const dq::Env env = dq::Env::for_delivery(params, default_part, dq::newsender(".", params), now);

  // The instructions, in file order; forwards wait until the end.
  Tally tally;
  for (const dq::Instruction& ins : parsed.instructions) {
    const bool forward_only = found.forward_only || (parsed.list && ins.line > parsed.list_line);
    if (!carry_out(ins, forward_only, a, fd, env, tally)) break;  // 99: skip the rest
  }
  pid_t qp = 0;
  if (a.deliver && !tally.forwards.empty()) qp = forward(qmail, fd, tally.forwards, env);
  say(cat("did ", std::to_string(tally.files), "+", std::to_string(tally.forwards.size()), "+",
          std::to_string(tally.programs), "\n"));
  if (qp) say(cat("qp ", std::to_string(qp), "\n"));
  return exit_ok;
}

int run(int argc, char** argv) {
  ::umask(077);
  ::signal(SIGPIPE, SIG_IGN);
  try {
    const Args a = parse_args(argc, argv);
    // A list post marked for one-click rendering (render/oneclick.h) is
    // rendered for this recipient first: every instruction — mailbox,
    // program or forward — gets the recipient's own copy, never the marker.
    io::Fd rendered;
    if (a.deliver) {
      try {
        rendered = oneclick::render_local(0, a.sender, cat(a.local, "@", a.host));
      } catch (const TempError& e) {
        throw TempError(oneclick::render_failure(e.what()), "4.3.0");
      }
    }
    return deliver(a, rendered ? rendered.get() : 0, qmail_home(), std::time(nullptr));
  } catch (const MailError& e) {
    std::string text = e.what();
    if (!e.dsn().empty()) text = cat(text, " (#", e.dsn(), ")");
    if (!text.empty()) io::write_all(2, cat(text, "\n"));
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    io::write_all(2, "Out of memory. (#4.3.0)\n");
    return exit_temp;
  }
}

}  // namespace mta::local
