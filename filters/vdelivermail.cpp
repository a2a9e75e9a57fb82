// vdelivermail — vpopmail-style delivery for a virtual domain in users/assign.
// "| vdelivermail '' ACTION" in the domain directory's .qmail-default; ACTION
// is bounce-no-mailbox, delete, an address or a directory for users that do
// not exist. Reads EXT, HOST, HOME, SENDER, NEWSENDER, RPLINE, DTLINE.
// Exit codes: 0, 99, 100, 111. See filters/vdeliver.h and vdelivermail(8).
#include <ctime>

#include "filters/vdeliver.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"vdelivermail", "vdelivermail '' ACTION", "deliver mail for a virtual domain's users"}, argc,
                       argv, [](int argc, char** argv) {
                         return filters::vdeliver::run(argc, argv, mta::dotqmail::Env::from_environment(), 0,
                                                       mta::qmail_home(), std::time(nullptr));
                       });
}
