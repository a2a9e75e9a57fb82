// virtmaildelivery — deliver the message on fd 0 into HOMEDIR/Maildir/.
// "virtmaildelivery USER HOMEDIR", normally exec'ed by virtmailfilter; reads
// RPLINE, DTLINE, SENDER, HOST. Exit codes: 0 delivered, 100 loop or usage,
// 111 temporary (over quota, Maildir trouble). See filters/virtual.h and
// virtmaildelivery(8).
#include <ctime>

#include "filters/virtual.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"virtmaildelivery", "virtmaildelivery USER HOMEDIR",
                        "deliver a message into a virtual user's Maildir"},
                       argc, argv, [](int argc, char** argv) {
                         return filters::virt::run_delivery(argc, argv, mta::dotqmail::Env::from_environment(), 0,
                                                            std::time(nullptr));
                       });
}
