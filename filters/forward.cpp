// forward — forward a message to other addresses.
//
// "|forward address..." queues DTLINE + the message on fd 0 to every address
// with $NEWSENDER as the envelope sender, through $QMAILQUEUE or
// <qmail home>/bin/qmail-queue, and prints "forward: qp <pid>" on stderr.
// Reads NEWSENDER and DTLINE (qmail-local sets both; either missing is a
// permanent error, exit 100).
// Exit codes: 0 queued; 100 qmail-queue refused permanently (D), a variable
// is missing or no address was given; 111 temporary (Z, unreadable message).
// See forward(1).
#include <string>
#include <vector>

#include "filters/helpers.h"
#include "mta/core/dotqmail.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"forward", "forward address [address ...]", "forward a new mail message"},
      argc, argv, [](int argc, char** argv) {
        const auto env = mta::dotqmail::Env::from_environment();
        const std::string& sender = env.need("NEWSENDER");
        const std::string& dtline = env.need("DTLINE");
        if (argc < 2) throw mta::UsageError("");
        mta::Envelope envelope{sender, std::vector<std::string>(argv + 1, argv + argc)};
        auto queued = mta::dotqmail::queue_forward(mta::qmail_home(), 0, dtline, envelope);
        return filters::report_queued("forward", queued, mta::exit_ok);
      });
}
