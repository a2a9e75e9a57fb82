// virtmailfilter — find a virtual domain's user and hand the message to
// virtmaildelivery as that user. Run from a domain master's .qmail-default
// as "|virtmailfilter [--prefix DIR]"; reads EXT, HOST, RPLINE, DTLINE,
// SENDER, NEWSENDER, RECIPIENT. Exit codes: virtmaildelivery's (0, 100, 111)
// once exec'ed; before that 100 (unknown domain or user, unsafe HOST/EXT,
// usage) or 111. See filters/virtual.h and virtmailfilter(8).
#include "filters/virtual.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"virtmailfilter", "virtmailfilter [--prefix DIR]",
                        "deliver mail for a virtual domain user, as that user"},
                       argc, argv, [](int argc, char** argv) -> int {
                         auto args = filters::virt::parse_filter_args(argc, argv);
                         filters::virt::run_filter(args, mta::dotqmail::Env::from_environment(), mta::qmail_home());
                       });
}
