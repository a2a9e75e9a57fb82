// qmail-start — turn on mail delivery (qmail-start(8)).
//
// Builds qmail's process tree: qmail-lspawn (root), qmail-rspawn (qmailr)
// and qmail-clean (qmailq) connected by six pipes to qmail-send (qmails),
// which this process becomes. qmail-send's fds: 0 = log, 1/2 = to/from
// qmail-lspawn, 3/4 = qmail-rspawn, 5/6 = qmail-clean. The helpers get no
// stderr (fds 2-6 closed). An optional logger reads the log on its stdin.
// In a sandbox nobody changes uid. Programs are QMAILHOME/bin/<name>.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/process.h"
#include "mta/core/paths.h"

namespace {

struct Ids {
  uid_t uid;
  gid_t gid;
  const char* name;  // for supplementary groups (qmailr), else nullptr
};

[[noreturn]] void die() { ::_exit(mta::exit_temp); }

uid_t user_id(const char* name) {
  struct passwd* pw = ::getpwnam(name);
  if (!pw) die();
  return pw->pw_uid;
}
gid_t group_id(const char* name) {
  struct group* gr = ::getgrnam(name);
  if (!gr) die();
  return gr->gr_gid;
}

void become(const Ids* ids) {
  if (!ids) return;
  if (ids->name ? ::initgroups(ids->name, ids->gid) == -1 : ::setgroups(1, &ids->gid) == -1) die();
  if (::setgid(ids->gid) == -1 || ::setuid(ids->uid) == -1) die();
}

[[noreturn]] void exec(const std::vector<std::string>& argv, bool use_path) {
  mta::process::exec(argv, use_path);
  die();
}

std::pair<int, int> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) == -1) die();
  return {p[0], p[1]};
}

// helper - fork a helper with fd0 <- in, fd1 -> out, fds 2-6 closed
void helper(int in, int out, const Ids* ids, std::vector<std::string> argv) {
  pid_t pid = ::fork();
  if (pid == -1) die();
  if (pid != 0) return;
  if (::dup2(in, 0) == -1 || ::dup2(out, 1) == -1) die();
  for (int fd = 2; fd <= 6; ++fd) ::close(fd);
  become(ids);
  exec(std::move(argv), false);
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-start", "qmail-start [defaultdelivery [logger arg ...]]", "Turn on mail delivery."}, argc, argv,
      [](int argc, char** argv) -> int {
        mta::Home home = mta::qmail_home();
        bool sandbox = home.is_sandbox();
        std::string dd = argc > 1 ? argv[1] : "./Mailbox";
        if (::chdir("/") == -1) die();
        ::umask(077);

        Ids lspawn{}, rspawn{}, clean{}, send{}, logger{};
        if (!sandbox) {
          gid_t qmail = group_id("qmail"), nofiles = group_id("nofiles");
          lspawn = {0, qmail, nullptr};
          rspawn = {user_id("qmailr"), qmail, "qmailr"};
          clean = {user_id("qmailq"), qmail, nullptr};
          send = {user_id("qmails"), qmail, nullptr};
          logger = {user_id("qmaill"), nofiles, nullptr};
          if (::setgid(qmail) == -1) die();
        }
        auto ids = [&](Ids& i) { return sandbox ? nullptr : &i; };

        // Placeholders: the pipes made below get fds above 6.
        for (int fd = 2; fd <= 6; ++fd)
          if (::dup2(0, fd) == -1) die();

        if (argc > 2) {
          auto [r, w] = make_pipe();
          pid_t pid = ::fork();
          if (pid == -1) die();
          if (pid == 0) {
            if (::dup2(r, 0) == -1) die();
            for (int fd = 2; fd <= 6; ++fd) ::close(fd);
            become(ids(logger));  // qmaill:nofiles
            exec(std::vector<std::string>(argv + 2, argv + argc), true);
          }
          if (::dup2(w, 1) == -1) die();
          ::close(r);
          ::close(w);
        }

        auto bin = [&](const char* name) { return (home.bin() / name).string(); };
        auto [l_cmd_r, l_cmd_w] = make_pipe();
        auto [l_rep_r, l_rep_w] = make_pipe();
        auto [r_cmd_r, r_cmd_w] = make_pipe();
        auto [r_rep_r, r_rep_w] = make_pipe();
        auto [c_cmd_r, c_cmd_w] = make_pipe();
        auto [c_rep_r, c_rep_w] = make_pipe();
        helper(l_cmd_r, l_rep_w, ids(lspawn), {bin("qmail-lspawn"), dd});
        helper(r_cmd_r, r_rep_w, ids(rspawn), {bin("qmail-rspawn")});
        helper(c_cmd_r, c_rep_w, ids(clean), {bin("qmail-clean")});

        if (::dup2(1, 0) == -1) die();  // qmail-send logs to fd 0
        const std::pair<int, int> plan[] = {{l_cmd_w, 1}, {l_rep_r, 2}, {r_cmd_w, 3},
                                            {r_rep_r, 4}, {c_cmd_w, 5}, {c_rep_r, 6}};
        for (auto [from, to] : plan)
          if (::dup2(from, to) == -1) die();
        become(ids(send));
        exec({bin("qmail-send")}, false);
      });
}
