// qmail-showctl — describe the instance's configuration.
//
// Runs as anyone who can read control/. Prints the report of
// qmail-showctl(8) on stdout. Exit codes: 0, or 111 when control/ or
// control/me cannot be read (the report says "Oops!" first, as qmail's does).
#include <unistd.h>

#include "mta/admin/showctl.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-showctl", "qmail-showctl", "Describe the configuration of the qmail instance."}, argc, argv,
      [](int argc, char**) {
        if (argc != 1) throw mta::UsageError("");
        mta::Home home = mta::qmail_home();
        auto report = mta::admin::showctl::render(home, mta::admin::showctl::lookup_ids(home));
        mta::io::Writer out(STDOUT_FILENO);
        out << report.text;
        out.flush();
        return report.exit_code;
      });
}
