// qmail-lspawn — schedule local deliveries (qmail-lspawn(8)).
//
// Started by qmail-start with the default delivery as argv[1]; speaks the
// spawn protocol with qmail-send on fds 0 and 1. In root mode it stays root
// and each delivery child becomes the recipient's user before it execs
// qmail-local; in a sandbox every delivery runs as the instance owner.
#include <pwd.h>
#include <unistd.h>

#include "mta/core/accounts.h"
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/send/lspawn.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-lspawn", "qmail-lspawn defaultdelivery", "Run local deliveries for qmail-send."}, argc, argv,
      [](int argc, char** argv) {
        if (argc < 2) return mta::exit_perm;
        mta::Home home = mta::qmail_home();
        bool sandbox = home.is_sandbox();
        uid_t owner;
        if (sandbox) {
          owner = mta::accounts::instance_owner(home);
        } else {
          struct passwd* pw = ::getpwnam("qmailq");
          if (!pw) return mta::exit_temp;
          owner = pw->pw_uid;
        }
        if (::chdir((home.queue() / "mess").c_str()) == -1) return mta::exit_temp;
        mta::spawn::LocalDriver driver(home, argv[1], sandbox);
        return mta::spawn::run(driver, owner);
      });
}
