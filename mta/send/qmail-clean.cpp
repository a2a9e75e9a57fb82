// qmail-clean — remove queue files on qmail-send's behalf.
//
// Started by qmail-start as qmailq; reads NUL-terminated commands on fd 0
// and answers one byte each on fd 1 (mta/send/clean.h). It exits when
// qmail-send closes the pipe.
#include <sys/stat.h>
#include <unistd.h>

#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/send/clean.h"

int main(int argc, char** argv) {
  return mta::run_main({"qmail-clean", "qmail-clean", "clean up the queue for qmail-send"}, argc, argv,
                       [](int, char**) {
    const mta::Home home = mta::qmail_home();
    if (::chdir(home.queue().c_str()) == -1) mta::throw_errno("unable to switch to queue directory");
    mta::send::run_clean(mta::QueueLayout{""}, 0, 1);
    return 0;
  });
}
