// qmail-qread — list the messages in the queue with their senders and recipients.
//
// Reads QMAILHOME's queue (as root or qmails, or the sandbox owner); the
// output format is qmail-qread(8)'s plus not-yet-preprocessed messages.
// Exit codes: 0 (also after warnings about single messages), 111 when the
// queue cannot be read at all.
#include <unistd.h>

#include "mta/admin/qread.h"
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-qread", "qmail-qread", "List the messages in the queue with their recipients."}, argc, argv,
      [](int argc, char**) {
        if (argc != 1) throw mta::UsageError("");
        mta::QueueLayout q{mta::qmail_home().queue()};
        mta::io::Writer out(STDOUT_FILENO);
        std::vector<std::string> warnings;
        mta::admin::qread::list(q, out, warnings);
        out.flush();
        for (const auto& w : warnings) mta::warn("qmail-qread", w);
        return mta::exit_ok;
      });
}
