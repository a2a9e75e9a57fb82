#include "mta/smtp/smtpd_server.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "mta/core/cdb.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/log.h"
#include "mta/core/netio.h"
#include "mta/smtp/smtpd_rcptcheck.h"
#include "mta/smtp/tcprules.h"

namespace mta::smtpd {

namespace {

constexpr const char* program = "qmail-smtpd";
constexpr auto short_life = std::chrono::seconds(1);

volatile sig_atomic_t stop_signal = 0;
extern "C" void on_stop(int sig) { stop_signal = sig; }
extern "C" void on_tick(int) {}  // only to interrupt wait(2)

void set_handler(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);  // no SA_RESTART: accept and wait return EINTR
}

// say - a -v log line in tcpserver's manner ("qmail-smtpd: ok PID ...").
void say(std::string_view text) {
  try {
    io::write_all(STDERR_FILENO, cat(program, ": ", text, "\n"));
  } catch (const MailError&) {
  }
}

bool is_listening(int fd) {
  int on = 0;
  socklen_t len = sizeof on;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

// One connection's variables: what tcpserver would have exported, over
// the process environment minus its TCP* names.
class ConnectionEnvironment {
 public:
  void set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }
  std::optional<std::string> operator()(const char* name) const {
    if (auto it = vars_.find(name); it != vars_.end()) return it->second;
    if (std::strncmp(name, "TCP", 3) == 0) return std::nullopt;
    return process_environment(name);
  }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

// serve_one - the rules, then the session; false when the worker should
// not go on (an error it cannot vouch it recovered from).
bool serve_one(const Home& home, int fd, const ServerOptions& o, QueueServer& queue) {
  ConnectionEnvironment env;
  const std::string remote = socket_ip(fd, true), local = socket_ip(fd, false);
  env.set("TCPREMOTEIP", remote);
  env.set("TCPLOCALIP", local);
  if (o.rules) {
    tcprules::Verdict verdict;
    // Opened per connection, as tcpserver does: a rebuilt file counts at
    // once. Like tcpserver -x (without -X), a connection is dropped when
    // the rules cannot be read, a missing file included: fail closed.
    try {
      auto db = cdb::Reader::open(*o.rules);
      if (!db) throw TempError("no such file");
      verdict = tcprules::lookup([&db](std::string_view key) { return db->find(key); }, remote);
    } catch (const MailError& e) {
      warn(program, cat("unable to read ", o.rules->string(), ": ", e.what()));
      return true;
    }
    if (verdict.deny) {
      if (o.verbose) say(cat("deny ", std::to_string(::getpid()), " ", remote));
      return true;
    }
    for (auto& [name, value] : verdict.env) env.set(std::move(name), std::move(value));
  }
  if (o.verbose) say(cat("ok ", std::to_string(::getpid()), " ", local, " ", remote));
  try {
    run_connection(home, fd, fd, std::cref(env), &queue);
  } catch (const std::exception& e) {
    warn(program, cat("session ended: ", e.what()));
    return false;
  }
  return true;
}

// worker - accepts and serves until max_use or a stop signal. The stop
// handler is the parent's (inherited): a signal interrupts an idle accept,
// and a session in progress runs to its end first.
[[noreturn]] void worker(const Home& home, int listen_fd, const ServerOptions& o) {
  int code = 0;
  {
    QueueServer queue(home);
    for (unsigned served = 0; served < o.max_use && !stop_signal;) {
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd == -1) {
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          ::sleep(1);  // out of resources: let sessions end rather than spin
          continue;
        }
        warn(program, cat("unable to accept: ", std::strerror(errno)));
        code = exit_temp;
        break;
      }
      io::Fd conn(fd);
      ++served;
      if (!serve_one(home, fd, o, queue)) {
        code = exit_temp;
        break;
      }
    }
  }  // the queue server is stopped and reaped before we go
  std::exit(code);
}

pid_t start_worker(const Home& home, int listen_fd, const ServerOptions& o) {
  const pid_t pid = ::fork();
  if (pid == -1) throw_errno("unable to fork");
  if (pid == 0) worker(home, listen_fd, o);
  return pid;
}

}  // namespace

int run_connection(const Home& home, int in_fd, int out_fd, const Environment& env,
                   QueueServer* queue) {
  net::Stream io(in_fd, out_fd, std::chrono::seconds(1200));
  Config cfg;
  std::optional<RecipientChecker> checker;
  try {
    cfg = load_config(home, in_fd, env);
    if (cfg.rcptcheck) checker.emplace(home);
  } catch (const TempError& e) {
    warn(program, e.what());
    io.write("421 unable to read controls (#4.3.0)\r\n");
    io.flush();
    return 1;
  }
  io.set_timeout(cfg.timeout);
  RecipientCheck check;
  if (checker) check = [&](const std::string& a) { return (*checker)(a); };
  return Session(cfg, io, check, queue).run();
}

std::optional<int> listening_socket() {
  if (is_listening(STDIN_FILENO)) return STDIN_FILENO;
  const char* fds = std::getenv("LISTEN_FDS");
  const char* pid = std::getenv("LISTEN_PID");
  if (fds && pid && std::strcmp(fds, "1") == 0 && std::to_string(::getpid()) == pid && is_listening(3))
    return 3;
  return std::nullopt;
}

int serve(const Home& home, int listen_fd, const ServerOptions& o) {
  ::signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) set_handler(sig, on_stop);
  using Clock = std::chrono::steady_clock;
  std::map<pid_t, Clock::time_point> workers;
  while (!stop_signal) {
    while (workers.size() < o.workers && !stop_signal) {
      try {
        workers.emplace(start_worker(home, listen_fd, o), Clock::now());
      } catch (const MailError& e) {
        // Out of processes: serve with the workers there are, try again later.
        warn(program, e.what());
        ::sleep(1);
        break;
      }
    }
    if (workers.empty()) continue;
    int status = 0;
    const pid_t pid = ::wait(&status);
    if (pid == -1) continue;  // EINTR: a stop signal, seen by the loop
    auto it = workers.find(pid);
    if (it == workers.end()) continue;
    const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (failed && Clock::now() - it->second < short_life) {
      warn(program, "a worker failed at once; pausing a second");
      ::sleep(1);
    }
    workers.erase(it);
  }
  // Stop: the signal is passed on once a second until every worker is gone,
  // so that one which was about to enter accept(2) when it came is reached.
  set_handler(SIGALRM, on_tick);
  while (!workers.empty()) {
    for (const auto& [pid, started] : workers) ::kill(pid, SIGTERM);
    ::alarm(1);
    for (;;) {
      const pid_t pid = ::wait(nullptr);
      if (pid == -1) break;  // EINTR (the tick) or ECHILD
      workers.erase(pid);
    }
    if (errno == ECHILD) break;
  }
  ::alarm(0);
  return 0;
}

}  // namespace mta::smtpd
