// qmail-remote — send one message to one host by SMTP (reference mta.md 9).
//
// qmail-remote host sender recip [recip ...]: the message on fd 0, the
// reports for qmail-rspawn on fd 1 (per recipient r/h/s, then K/Z/D, each
// ended by NUL). It always exits 0: every outcome is in the reports.
// Runs as qmailr under qmail-rspawn, or by hand. See qmail-remote(8).
#include <signal.h>
#include <unistd.h>

#include <ctime>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/dkim/sign.h"
#include "mta/smtp/remote.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-remote", "qmail-remote host sender recip [recip ...]",
       "Send a message to a remote host by SMTP; report to qmail-rspawn on fd 1."},
      argc, argv, [](int argc, char** argv) {
        signal(SIGPIPE, SIG_IGN);  // a vanished peer is a net::Error, not a signal
        mta::io::Writer out(STDOUT_FILENO);
        if (argc < 4) {
          out.write(std::string_view("DI (qmail-remote) was invoked improperly. (#5.3.5)\n\0", 52));
          out.flush();
          return mta::exit_ok;
        }
        mta::remote::Job job{argv[1], argv[2], {argv + 3, argv + argc}, {}};
        try {
          // Signed once per run, after every change the message went through: all recipients get these bytes.
          job.prefix = mta::dkim::sign_outbound(mta::qmail_home(), STDIN_FILENO, std::time(nullptr));
        } catch (const mta::MailError& e) {
          out.write(mta::cat("ZUnable to sign the message with DKIM: ", e.what(), " (#4.3.0)\n"));
          out.put('\0');
          out.flush();
          return mta::exit_ok;
        }
        mta::remote::run(mta::qmail_home(), job, STDIN_FILENO, out);
        return mta::exit_ok;
      });
}
