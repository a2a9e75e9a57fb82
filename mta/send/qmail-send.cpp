// qmail-send — schedule and carry out the deliveries of the queue.
//
// Started by qmail-start with the log on fd 0 and pipes to qmail-lspawn
// (fd 1/2), qmail-rspawn (fd 3/4) and qmail-clean (fd 5/6); no arguments.
// The logic is in mta/send/sender.cpp.
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/send/sender.h"

int main(int argc, char** argv) {
  return mta::run_main({"qmail-send", "qmail-send", "deliver the mail messages in the queue"}, argc, argv,
                       [](int, char**) { return mta::send::run_send(mta::qmail_home()); });
}
