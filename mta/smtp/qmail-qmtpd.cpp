// qmail-qmtpd — receive mail via QMTP (see man/man8/qmail-qmtpd.8).
#include <signal.h>
#include <unistd.h>

#include "mta/core/exitcodes.h"
#include "mta/core/netio.h"
#include "mta/smtp/qmtp.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-qmtpd", "qmail-qmtpd", "Receive mail via QMTP on fd 0 and 1 and queue it."}, argc, argv,
      [](int, char**) {
        using namespace mta;
        ::signal(SIGPIPE, SIG_IGN);
        Home home = qmail_home();
        // qmail-qmtpd allows an hour; here each wait for the client may last that long.
        net::Stream io(STDIN_FILENO, STDOUT_FILENO, std::chrono::seconds(3600));
        smtpd::Config cfg = smtpd::load_config(home, STDIN_FILENO);  // TempError: exit 111
        QueueServer queue(home);  // one qmail-queue for all the messages of the connection
        return qmtp::Session(cfg, io, &queue).run();
      });
}
