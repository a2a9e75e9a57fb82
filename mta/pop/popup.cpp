// mta/pop/popup.cpp — see popup.h.
#include "mta/pop/popup.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <optional>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/netio.h"
#include "mta/core/paths.h"
#include "mta/core/process.h"
#include "mta/core/tls.h"
#include "mta/pop/pop3_command.h"
#include "mta/pop/pop3d.h"

namespace mta::pop {

std::string apop_timestamp(pid_t pid, std::time_t now, std::string_view hostname) {
  return cat("<", std::to_string(pid), ".", std::to_string(now), "@", hostname, ">");
}

namespace {

// Overwrites a secret before its memory is released.
void wipe(std::string& s) {
  if (!s.empty()) ::explicit_bzero(s.data(), s.size());
  s.clear();
}

void set_blocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags != -1 && (flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags != -1) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Copies between the client (io) and the subprogram's end of the socketpair
// until the subprogram closes its end or nobody speaks for `timeout`.
void relay(net::Stream& io, int client_fd, int child_fd, std::chrono::milliseconds timeout) {
  set_nonblocking(child_fd);
  std::string to_child;
  constexpr std::size_t high_water = 64 * 1024;
  bool client_eof = false, shut = false;
  std::string buf(16 * 1024, '\0');
  auto from_client = [&] {
    try {
      std::size_t n = io.read_some(buf.data(), buf.size());
      if (n == 0) client_eof = true;
      else to_child.append(buf.data(), n);
    } catch (const MailError&) {
      client_eof = true;
    }
  };
  for (;;) {
    if (!client_eof && to_child.size() < high_water && io.pending_input() > 0) from_client();
    if (client_eof && to_child.empty() && !shut) {
      ::shutdown(child_fd, SHUT_WR);
      shut = true;
    }
    pollfd p[2] = {{child_fd, POLLIN, 0}, {client_fd, POLLIN, 0}};
    if (!to_child.empty()) p[0].events |= POLLOUT;
    const nfds_t n = (!client_eof && to_child.size() < high_water) ? 2 : 1;
    int r = ::poll(p, n, static_cast<int>(timeout.count()));
    if (r == -1) {
      if (errno == EINTR) continue;
      return;
    }
    if (r == 0) return;  // idle too long: closing the pair ends the subprogram
    if (n == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) from_client();
    if (p[0].revents & POLLOUT) {
      ssize_t w = ::write(child_fd, to_child.data(), to_child.size());
      if (w > 0) to_child.erase(0, static_cast<std::size_t>(w));
      else if (w == -1 && errno != EAGAIN && errno != EINTR) return;
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t got = ::read(child_fd, buf.data(), buf.size());
      if (got == 0) return;
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return;
      }
      try {
        io.write(std::string_view(buf.data(), static_cast<std::size_t>(got)));
        io.flush();
      } catch (const MailError&) {
        return;  // the client is gone; closing the pair tells the subprogram
      }
    }
  }
}

class Popup {
 public:
  Popup(const PopupConfig& cfg, int in_fd, int out_fd)
      : cfg_(cfg), in_fd_(in_fd), out_fd_(out_fd), io_(in_fd, out_fd, cfg.timeout),
        stamp_(apop_timestamp(::getpid(), std::time(nullptr), cfg.hostname)) {}

  int run() {
    io_.write(cat("+OK ", stamp_, "\r\n"));
    while (std::optional<Command> c = read_command(io_)) {
      std::optional<int> done = dispatch(*c);
      wipe(c->arg);
      if (done) return *done;
    }
    return 1;
  }

 private:
  void ok(std::string_view text = {}) { io_.write(cat("+OK ", text, "\r\n")); }
  void err(std::string_view text) { io_.write(cat("-ERR ", text, "\r\n")); }
  std::optional<int> dispatch(Command& c) {
    const std::string& v = c.verb;
    if (v == "QUIT") {
      ok();
      io_.flush();
      return 0;
    }
    if (v == "NOOP") ok();
    else if (v == "CAPA") capa();
    else if (v == "STLS") stls();
    else if (v == "USER") {
      if (c.arg.empty()) err("syntax error");
      else {
        user_ = c.arg;
        ok();
      }
    } else if (v == "PASS") {
      if (!user_) err("USER first");
      else if (c.arg.empty()) err("syntax error");
      else return authenticate(*user_, c.arg);
    } else if (v == "APOP") {
      const std::size_t sp = c.arg.find(' ');
      if (sp == std::string::npos || sp == 0 || sp + 1 >= c.arg.size()) err("syntax error");
      else {
        std::string digest = c.arg.substr(sp + 1);
        int r = authenticate(c.arg.substr(0, sp), digest);
        wipe(digest);
        return r;
      }
    } else {
      err("authorization first");
    }
    return std::nullopt;
  }

  bool can_stls() const { return !cfg_.servercert.empty() && !io_.tls(); }

  void capa() {
    ok("capability list follows");
    io_.write("TOP\r\nUIDL\r\nUSER\r\nPIPELINING\r\nRESP-CODES\r\n");
    if (can_stls()) io_.write("STLS\r\n");
    io_.write("IMPLEMENTATION Lettershop\r\n.\r\n");
  }

  void stls() {
    if (!can_stls()) return err(io_.tls() ? "TLS already active" : "STLS not available");
    std::optional<tls::Context> ctx;
    try {
      ctx.emplace(tls::server_context(cfg_.servercert));
    } catch (const MailError& e) {
      warn("qmail-popup", e.what());
      return err("TLS not available: unable to load the certificate");
    }
    ok("begin TLS negotiation");
    io_.flush();
    io_.start_tls_server(*ctx);  // a failure ends the session (run_main)
    user_.reset();               // RFC 2595: forget what came before TLS
  }

  // Runs the subprogram; qmail's doanddie().
  int authenticate(const std::string& user, std::string& pass) {
    auto [auth_r, auth_w] = process::make_pipe();
    const bool use_relay = io_.tls() || io_.pending_input() > 0;
    io::Fd ours, theirs;
    process::SpawnOptions opts;
    if (use_relay) {
      int sp[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) throw_errno("unable to make a socketpair");
      ours.reset(sp[0]);
      theirs.reset(sp[1]);
      opts.fds = {{0, theirs.get()}, {1, theirs.get()}, {3, auth_r.get()}};
    } else {
      io_.flush();
      // Stream made them non-blocking; the subprogram may not expect that.
      set_blocking(in_fd_);
      set_blocking(out_fd_);
      opts.fds = {{0, in_fd_}, {1, out_fd_}, {3, auth_r.get()}};
    }
    opts.use_path = true;
    pid_t child = process::spawn(cfg_.subprogram, opts);
    auth_r.reset();
    theirs.reset();
    std::string data = cat(user, std::string_view("\0", 1), pass, std::string_view("\0", 1), stamp_,
                           std::string_view("\0", 1));
    wipe(pass);
    try {
      io::write_all(auth_w.get(), data);
    } catch (const MailError&) {
      // The subprogram did not read: its exit status says why.
    }
    wipe(data);
    auth_w.reset();
    if (use_relay) {
      relay(io_, in_fd_, ours.get(), cfg_.timeout);
      ours.reset();
    }
    const int status = process::wait_for(child);
    if (!use_relay) set_nonblocking(in_fd_), set_nonblocking(out_fd_);
    if (WIFSIGNALED(status)) err("aack, child crashed");
    else if (WEXITSTATUS(status) != 0) err("authorization failed");
    else {
      if (io_.tls()) io_.shutdown_tls();
      return 0;
    }
    flush_quietly(io_);
    return 1;
  }

  const PopupConfig& cfg_;
  int in_fd_, out_fd_;
  net::Stream io_;
  std::string stamp_;
  std::optional<std::string> user_;
};

}  // namespace

int run_popup(const PopupConfig& cfg, int in_fd, int out_fd) { return Popup(cfg, in_fd, out_fd).run(); }

int popup_main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 3 || argv[1][0] == '\0') {
    io::write_all(1, "-ERR usage: qmail-popup hostname subprogram\r\n");
    return 1;
  }
  PopupConfig cfg;
  cfg.hostname = argv[1];
  for (int i = 2; i < argc; ++i) cfg.subprogram.emplace_back(argv[i]);
  const Home home = qmail_home();
  if (fs::path pem = home.control() / "servercert.pem"; ::access(pem.c_str(), R_OK) == 0) cfg.servercert = pem;
  cfg.timeout = session_timeout();
  return run_popup(cfg, 0, 1);
}

}  // namespace mta::pop
