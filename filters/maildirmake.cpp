// maildirmake — create a Maildir.
//
// "maildirmake dir" creates dir and its tmp, new and cur folders, each mode
// 0700 (umask 077, as qmail). An existing dir is an error: maildirmake never
// adopts a folder it did not make.
// Exit codes: 0 made; 100 usage; 111 any mkdir failed
// ("maildirmake: fatal: unable to mkdir PATH: reason"). See maildirmake(1).
#include <sys/stat.h>

#include "mta/core/exitcodes.h"
#include "mta/core/maildir.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"maildirmake", "maildirmake name", "create a Maildir"},
      argc, argv, [](int argc, char** argv) {
        if (argc != 2) throw mta::UsageError("");
        ::umask(077);
        mta::maildir::make(argv[1]);
        return mta::exit_ok;
      });
}
