// qmail-tcpto — print the TCP timeout table queue/lock/tcpto (qmail-tcpto(8)).
//
// One line per address with recent connect timeouts. Exit 0, or 111 when the
// table cannot be read.
#include <unistd.h>

#include <ctime>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/smtp/tcpto.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-tcpto", "qmail-tcpto", "Print the table of hosts whose SMTP connects timed out."}, argc, argv,
      [](int argc, char**) {
        if (argc != 1) throw mta::UsageError("");
        auto table = mta::tcpto::read(mta::qmail_home().queue() / "lock" / "tcpto");
        mta::io::Writer out(STDOUT_FILENO);
        out << mta::tcpto::format(table, static_cast<std::uint32_t>(std::time(nullptr)));
        out.flush();
        return mta::exit_ok;
      });
}
