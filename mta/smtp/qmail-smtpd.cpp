// qmail-smtpd — receive mail via SMTP (see man/man8/qmail-smtpd.8).
//
// Given a connection on fd 0 and 1 (tcpserver, inetd, systemd Accept=yes)
// it serves that one session. Given a listening socket it serves
// connections itself (smtpd_server.h); -c, -x and -v apply only then.
// The flags are read with getopt(3), not Boost: under tcpserver this
// program starts once per connection, and Boost.Program_options' static
// set-up would be paid at every start.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "mta/core/control.h"
#include "mta/core/exitcodes.h"
#include "mta/smtp/smtpd_server.h"

namespace {

mta::smtpd::ServerOptions parse_options(int argc, char** argv) {
  mta::smtpd::ServerOptions o;
  opterr = 0;
  for (int c; (c = ::getopt(argc, argv, "+c:x:v")) != -1;) {
    switch (c) {
      case 'c': {
        auto n = mta::control::parse_number(optarg);
        if (!n || *n == 0 || *n > 10000) throw mta::UsageError("-c wants a number from 1 to 10000");
        o.workers = static_cast<unsigned>(*n);
        break;
      }
      case 'x': o.rules = optarg; break;
      case 'v': o.verbose = true; break;
      default:
        throw mta::UsageError("usage: qmail-smtpd [-v] [-c workers] [-x rules.cdb]");
    }
  }
  // Operands are ignored, as qmail's qmail-smtpd ignores them (some
  // installations pass checkpassword arguments).
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-smtpd", "qmail-smtpd [-v] [-c workers] [-x rules.cdb]",
       "Receive mail via SMTP on fd 0 and 1 and queue it, or serve connections on a listening socket."},
      argc, argv, [](int argc, char** argv) {
        using namespace mta;
        const smtpd::ServerOptions options = parse_options(argc, argv);
        ::signal(SIGPIPE, SIG_IGN);  // a vanished client is a write error, not a signal
        Home home = qmail_home();
        if (auto listener = smtpd::listening_socket()) return smtpd::serve(home, *listener, options);
        QueueServer queue(home);  // a second message on the connection needs no new qmail-queue
        return smtpd::run_connection(home, STDIN_FILENO, STDOUT_FILENO, smtpd::process_environment,
                                     &queue);
      });
}
