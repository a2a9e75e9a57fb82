// mta/smtp/smtpd_server.h — qmail-smtpd as its own server, and one session.
//
// Under tcpserver every connection costs a fork and an exec of qmail-smtpd,
// and every message the start of a qmail-queue: two program starts per
// message on the common one-message connection, most of a message's CPU on
// this kind of host. Given a listening socket instead of a connection,
// qmail-smtpd serves connections itself, Postfix-style: a parent keeps
// `workers` processes, forked once, each accepting one connection at a time
// and running the same Session on it as under tcpserver, and each queueing
// through its own persistent qmail-queue (QueueServer). Zero program starts
// per message; the queue files, fsyncs and replies are the same.
//
// The listening socket is fd 0 (inetd's "wait" mode, systemd's
// StandardInput=socket with Accept=no) or fd 3 passed by systemd with
// LISTEN_FDS=1 and LISTEN_PID = our pid. Each connection's variables are
// what tcpserver would have set: TCPREMOTEIP and TCPLOCALIP from the
// socket, then the settings of the first matching rule of the -x database
// (tcprules.h; a "deny" rule closes the connection unanswered, as
// tcpserver does). The process environment supplies the rest (RELAYCLIENT
// set for the whole server relays for everyone, as under tcpserver), but
// never a TCP* variable, which would be stale.
//
// Workers run as whoever started qmail-smtpd (qmaild: systemd's User=, or
// a supervisor's setuidgid); nothing here needs or keeps root. A worker
// leaves after max_use connections and is replaced, like Postfix's max_use,
// so that nothing a session might leak lives long. One that dies is
// replaced too, after a second's pause if it lived less than a second.
#pragma once

#include <filesystem>
#include <optional>

#include "mta/core/paths.h"
#include "mta/core/queue_client.h"
#include "mta/smtp/smtpd_session.h"

namespace mta::smtpd {

struct ServerOptions {
  unsigned workers = 40;      // -c: connections served at once (tcpserver's default)
  unsigned max_use = 100;     // connections per worker before it is replaced
  std::optional<std::filesystem::path> rules;  // -x: a tcprules database
  bool verbose = false;       // -v: a log line per connection
};

// One SMTP session on in/out: the controls (421 when they cannot be read),
// the recipient checker, then Session. Returns the session's exit code.
int run_connection(const Home& home, int in_fd, int out_fd, const Environment& env,
                   QueueServer* queue);

// The listening socket qmail-smtpd was given, if it was given one.
std::optional<int> listening_socket();

// Serves connections on listen_fd until SIGTERM, SIGINT or SIGHUP, which
// are passed on to the workers; returns 0 then.
int serve(const Home& home, int listen_fd, const ServerOptions& options);

}  // namespace mta::smtpd
