// ezmlm-make — create or edit a mailing list directory from a template.
//
// Runs as the list owner, umask 077 (the key is a secret). The work is in
// ezmlm/lib/make.*; exit codes: 0 done, 100 bad arguments or template,
// 111 file-system trouble. See ezmlm-make(1).
#include <sys/stat.h>

#include "ezmlm/lib/env.h"
#include "ezmlm/lib/make.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-make", "ezmlm-make [-+] [-aA..zZ] [-C template] [-0..-9 arg] dir [dot local host [code]]",
       "create or edit a mailing list directory"},
      argc, argv, [](int argc, char** argv) {
        ::umask(077);
        auto cl = ezmlm::parse_command_line(argc, argv, ezmlm::make::option_spec, "ezmlm-make");
        ezmlm::make::run(ezmlm::make::from_command_line(cl), ezmlm::Env::from_environ());
        return 0;
      });
}
