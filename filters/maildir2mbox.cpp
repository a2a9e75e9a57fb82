// maildir2mbox — move mail from a Maildir into an mbox.
//
// Reads MAILDIR (the Maildir), MAIL (the mbox) and MAILTMP (a temporary
// file on the same file system as MAIL) from the environment and moves every
// message; see filters/maildir_to_mbox.h for the order of operations and
// why it is crash-safe.
// Exit codes: 0 done (also with nothing to do); 111 any error, including a
// variable not set ("maildir2mbox: fatal: MAIL not set"). See maildir2mbox(1).
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>

#include "filters/maildir_to_mbox.h"
#include "mta/core/exitcodes.h"

namespace {
// need_env - one of the three variables, or the fatal error qmail gives
const char* need_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) throw mta::TempError(mta::cat(name, " not set"), "");
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main(
      {"maildir2mbox", "maildir2mbox", "move mail from a Maildir into an mbox"},
      argc, argv, [](int, char**) {
        ::umask(077);
        filters::MaildirToMbox job;
        job.mail = need_env("MAIL");
        job.mailtmp = need_env("MAILTMP");
        job.maildir = need_env("MAILDIR");
        job.now = std::time(nullptr);
        filters::maildir_to_mbox(job);
        return mta::exit_ok;
      });
}
