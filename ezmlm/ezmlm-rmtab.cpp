// ezmlm-rmtab — drop a list's subscriber dbs (ezmlm-make's counterpart).
//
// `ezmlm-rmtab [-mM] [-S subdb] DIR`: removes the subscribers of the main
// list and of digest/, allow/, deny/ and mod/. Afterwards ezmlm-sub fails
// (111) until the dbs are made again. Exit 0; 100 usage; 111 for file
// trouble. See ezmlm-rmtab(1).
#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-rmtab", "ezmlm-rmtab [-mMvV] [-S subdb] dir", "remove the subscriber databases of a mailing list"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "mMvVS:");
        if (cl.operands.size() != 1) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        auto options = ezmlm::store_options(cl);
        for (const char* sub : {"", "digest", "allow", "deny", "mod"}) ezmlm::open_store(dir, sub, options)->destroy();
        return mta::exit_ok;
      });
}
