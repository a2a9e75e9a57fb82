// condredirect — forward a message elsewhere when a program says so.
//
// "|condredirect newaddress program [arg...]" runs program on the message
// (PATH search, no shell). Exit 0: rewind fd 0, queue DTLINE + the message to
// newaddress with $SENDER (not NEWSENDER) as the envelope sender, print
// "condredirect: qp <pid>" on stderr and exit 99, so that qmail-local skips
// the rest of the .qmail file. Exit 111: defer. Anything else: exit 0 and let
// the .qmail file go on.
// Environment: SENDER and DTLINE, read once; either missing is exit 100.
// Exit codes: 99 redirected; 0 not; 100 permanent (qmail-queue D, missing
// variable, usage); 111 temporary (child 111 or crashed, qmail-queue Z,
// message not seekable). See condredirect(1).
#include <unistd.h>

#include <string>
#include <vector>

#include "filters/helpers.h"
#include "mta/core/dotqmail.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"condredirect", "condredirect newaddress program [arg ...]", "perhaps redirect mail to another address"},
      argc, argv, [](int argc, char** argv) {
        if (argc < 3) throw mta::UsageError("");
        const auto env = mta::dotqmail::Env::from_environment();
        const std::string& sender = env.need("SENDER");
        const std::string& dtline = env.need("DTLINE");

        std::vector<std::string> child(argv + 2, argv + argc);
        if (!filters::condredirect_redirects(filters::child_verdict(filters::run_child(child))))
          return mta::exit_ok;

        // The program has read (some of) the message: start it over.
        if (::lseek(0, 0, SEEK_SET) == -1) mta::throw_errno("unable to rewind");
        mta::Envelope envelope{sender, {argv[1]}};
        auto queued = mta::dotqmail::queue_forward(mta::qmail_home(), 0, dtline, envelope);
        return filters::report_queued("condredirect", queued, mta::exit_stop);
      });
}
