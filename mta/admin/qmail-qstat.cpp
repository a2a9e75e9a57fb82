// qmail-qstat — count the messages in the queue.
//
// Two lines, as qmail-qstat(8): the files under mess/ and those in todo/.
// Exit codes: 0, or 111 when the queue cannot be read.
#include <unistd.h>

#include "mta/admin/qread.h"
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-qstat", "qmail-qstat", "Count the messages in the queue."}, argc, argv,
      [](int argc, char**) {
        if (argc != 1) throw mta::UsageError("");
        mta::QueueLayout q{mta::qmail_home().queue()};
        auto counts = mta::admin::qread::count(q);
        mta::io::Writer out(STDOUT_FILENO);
        out << mta::admin::qread::format(counts);
        out.flush();
        return mta::exit_ok;
      });
}
