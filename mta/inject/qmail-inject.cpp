// qmail-inject — prepare a message and hand it to qmail-queue.
//
// Reads a message on stdin, fixes up its header (reference mta.md 12.4),
// works out the envelope and queues it through $QMAILQUEUE or
// <qmail home>/bin/qmail-queue; with -n prints it instead. No privileges.
// Exit codes: 0 queued, 100 permanent (usage, unparsable address, qq
// permanent), 111 temporary; see qmail-inject(8).
#include <unistd.h>

#include <ctime>

#include "mta/core/exitcodes.h"
#include "mta/inject/inject.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-inject", "qmail-inject [-nNaAhH] [-fsender] [recip ...]",
       "fix up a message's header and queue it"},
      argc, argv, [](int argc, char** argv) {
        using namespace mta::inject;
        Options options = parse_options(argc, argv);
        mta::Home home = mta::qmail_home();
        Settings settings = load_settings(home, environment(), std::time(nullptr), ::getpid());
        mta::io::Reader in(0);
        mta::io::Writer out(1, 65536);
        inject(in, options, settings, home, out);
        return 0;
      });
}
