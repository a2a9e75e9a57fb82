// qmail-smtpd — receive mail via SMTP (see man/man8/qmail-smtpd.8).
#include <signal.h>
#include <unistd.h>

#include "mta/core/exitcodes.h"
#include "mta/core/netio.h"
#include "mta/smtp/smtpd_rcptcheck.h"
#include "mta/smtp/smtpd_session.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-smtpd", "qmail-smtpd", "Receive mail via SMTP on fd 0 and 1 and queue it."}, argc, argv,
      [](int, char**) {
        using namespace mta;
        ::signal(SIGPIPE, SIG_IGN);  // a vanished client is a write error, not a signal
        Home home = qmail_home();
        net::Stream io(STDIN_FILENO, STDOUT_FILENO, std::chrono::seconds(1200));
        smtpd::Config cfg;
        std::optional<smtpd::RecipientChecker> checker;
        try {
          cfg = smtpd::load_config(home, STDIN_FILENO);
          if (cfg.rcptcheck) checker.emplace(home);
        } catch (const TempError& e) {
          warn("qmail-smtpd", e.what());
          io.write("421 unable to read controls (#4.3.0)\r\n");
          io.flush();
          return 1;
        }
        io.set_timeout(cfg.timeout);
        smtpd::RecipientCheck check;
        if (checker) check = [&](const std::string& a) { return (*checker)(a); };
        QueueServer queue(home);  // a second message on the connection needs no new qmail-queue
        return smtpd::Session(cfg, io, check, &queue).run();
      });
}
