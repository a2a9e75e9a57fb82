// qmail-tcpok — clear the TCP timeout table queue/lock/tcpto (qmail-tcpok(8)),
// so that qmail-remote tries every host again. Exit 0, or 111 on trouble.
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/smtp/tcpto.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-tcpok", "qmail-tcpok", "Clear the table of hosts whose SMTP connects timed out."}, argc, argv,
      [](int argc, char**) {
        if (argc != 1) throw mta::UsageError("");
        mta::tcpto::clear(mta::qmail_home().queue() / "lock" / "tcpto");
        return mta::exit_ok;
      });
}
