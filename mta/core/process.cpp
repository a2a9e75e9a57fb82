#include "mta/core/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "mta/core/exitcodes.h"

namespace mta::process {

namespace {

// spawn_fast - posix_spawn for the plain plans (an fd plan, a chdir, no
// environment changes, the default exec failure): glibc starts the child
// with clone(CLONE_VM|CLONE_VFORK), so neither the parent's page tables
// are copied nor its pages made copy-on-write, which fork does for every
// qmail-queue that qmail-smtpd and ezmlm-send start. Returns -1 (no child)
// whenever posix_spawn reports a failure, including a failed chdir or exec:
// the caller then takes the fork path, whose child reports that failure by
// its exit status exactly as before.
pid_t spawn_fast(char* const* args, const SpawnOptions& options) {
  if (options.use_path || !options.setenv.empty() || !options.unsetenv.empty() ||
      options.exec_status_from_errno || !options.exec_error_text.empty())
    return -1;
  // Each source is first copied to a fresh close-on-exec descriptor in the
  // parent, so that a plan like {0 <- 1, 1 <- 0} needs no ordering: the
  // child's dup2 from those copies clears close-on-exec on the targets only.
  std::vector<io::Fd> staged;
  for (const auto& [child_fd, parent_fd] : options.fds) {
    int tmp = ::fcntl(parent_fd, F_DUPFD_CLOEXEC, 64);
    if (tmp == -1) return -1;
    staged.emplace_back(tmp);
  }
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return -1;
  posix_spawnattr_t attr;
  if (posix_spawnattr_init(&attr) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return -1;
  }
  bool ok = true;
  for (std::size_t i = 0; i < staged.size() && ok; ++i)
    ok = posix_spawn_file_actions_adddup2(&actions, staged[i].get(), options.fds[i].first) == 0;
  if (ok && !options.chdir.empty())
    ok = posix_spawn_file_actions_addchdir_np(&actions, options.chdir.c_str()) == 0;
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);  // as the fork path's signal(SIGPIPE, SIG_DFL)
  if (ok) ok = posix_spawnattr_setsigdefault(&attr, &defaults) == 0 &&
               posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF) == 0;
  pid_t pid = -1;
  if (ok && ::posix_spawn(&pid, args[0], &actions, &attr, args, environ) != 0) pid = -1;
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) panic("spawn: empty argv");
  // Everything the child needs is prepared before fork: after fork only
  // async-signal-safe calls are made, and no allocation (a caller may have
  // other threads, ezmlm-send does, and one of them may hold malloc's lock
  // at the fork). putenv/unsetenv are the exception: only single-threaded
  // callers (qmail-lspawn, qmail-local) pass environment changes.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (pid_t fast = spawn_fast(args.data(), options); fast > 0) return fast;

  std::vector<int> staged(options.fds.size(), -1);  // allocated before fork
  pid_t pid = ::fork();
  if (pid == -1) throw_errno("unable to fork");
  if (pid != 0) return pid;

  // Child. Move parent fds out of the way of the target numbers first, so that
  // a plan like {0 <- 1, 1 <- 0} works.
  for (std::size_t i = 0; i < options.fds.size(); ++i) {
    staged[i] = ::fcntl(options.fds[i].second, F_DUPFD_CLOEXEC, 64);
    if (staged[i] == -1) ::_exit(exec_failed_status);
  }
  for (std::size_t i = 0; i < staged.size(); ++i)
    if (::dup2(staged[i], options.fds[i].first) == -1) ::_exit(exec_failed_status);
  for (int s : staged) ::close(s);
  if (!options.chdir.empty() && ::chdir(options.chdir.c_str()) == -1)
    ::_exit(options.chdir_failed_status);
  for (const auto& name : options.unsetenv) ::unsetenv(name.c_str());
  for (const auto& kv : options.setenv) ::putenv(const_cast<char*>(kv.c_str()));
  ::signal(SIGPIPE, SIG_DFL);
  if (options.use_path)
    ::execvp(args[0], args.data());
  else
    ::execv(args[0], args.data());
  const int err = errno;
  if (!options.exec_error_text.empty())
    put_text(2, {options.exec_error_text, std::strerror(err), "\n"});  // one writev, no allocation
  if (options.exec_status_from_errno) ::_exit(errno_is_temporary(err) ? exit_temp : exit_perm);
  ::_exit(exec_failed_status);
}

void exec(const std::vector<std::string>& argv, bool use_path) {
  if (argv.empty()) panic("exec: empty argv");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (use_path)
    ::execvp(args[0], args.data());
  else
    ::execv(args[0], args.data());
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) == -1) {
    if (errno != EINTR) throw_errno("unable to wait for child");
  }
  return status;
}

std::pair<io::Fd, io::Fd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) == -1) throw_errno("unable to create pipe");
  return {io::Fd(fds[0]), io::Fd(fds[1])};
}

std::pair<int, std::string> run_capture(const std::vector<std::string>& argv, std::string_view input,
                                        const SpawnOptions& options) {
  auto [in_r, in_w] = make_pipe();
  auto [out_r, out_w] = make_pipe();
  SpawnOptions opts = options;
  opts.fds.insert(opts.fds.begin(), {{0, in_r.get()}, {1, out_w.get()}});
  pid_t pid = spawn(argv, opts);
  in_r.reset();
  out_w.reset();
  // Feed and drain without deadlock: small inputs go first, then we read.
  // For large inputs a writer child would be needed; callers pass small ones.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    io::write_all(in_w.get(), input);
  } catch (const MailError&) {
    // The child may exit without reading; its status tells the story.
  }
  in_w.reset();
  io::Reader r(out_r.get());
  std::string out = r.read_all();
  return {wait_for(pid), std::move(out)};
}

}  // namespace mta::process
