// qmail-rspawn — schedule remote deliveries (qmail-rspawn(8)).
//
// Speaks the spawn protocol with qmail-send on fds 0 and 1 (255 slots) and
// runs $QMAILREMOTE (else QMAILHOME/bin/qmail-remote) once per batch: the
// recipients of one message and sender at one domain that wait together, up
// to 100, with argv "host sender recipient...". Each recipient's r/h/s
// report plus the message's K/Z/D becomes that recipient's report. At most
// control/concurrencyremote runs at once. Clears queue/lock/tcpto at start.
#include <pwd.h>
#include <unistd.h>

#include "mta/core/accounts.h"
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/send/lspawn.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-rspawn", "qmail-rspawn", "Run remote deliveries for qmail-send."}, argc, argv,
      [](int, char**) {
        mta::Home home = mta::qmail_home();
        uid_t owner;
        if (home.is_sandbox()) {
          owner = mta::accounts::instance_owner(home);
        } else {
          struct passwd* pw = ::getpwnam("qmailq");
          if (!pw) return mta::exit_temp;
          owner = pw->pw_uid;
        }
        mta::spawn::clear_tcpto(home);
        if (::chdir((home.queue() / "mess").c_str()) == -1) return mta::exit_temp;
        mta::spawn::RemoteDriver driver(home);
        return mta::spawn::run(driver, owner, mta::spawn::max_slots);
      });
}
