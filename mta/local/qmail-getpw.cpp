// qmail-getpw — which account controls a local address (qmail-getpw(8)).
//
// Prints user\0uid\0gid\0homedir\0dash\0ext\0 for `local` and exits 0; on
// trouble prints nothing and exits with qmail-lspawn's codes: 100 without an
// argument, 116 when not even the alias account exists, 115 when a home
// directory cannot be stat'ed for a temporary reason, 118 when the account
// database is busy. A sandbox takes its accounts from QH/users/passwd.
#include <unistd.h>

#include "mta/core/accounts.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/local/home_owner.h"
#include "mta/local/users.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-getpw", "qmail-getpw local", "Print the account that controls a local address."}, argc, argv,
      [](int argc, char** argv) {
        namespace users = mta::users;
        if (argc < 2) return mta::exit_perm;
        mta::Home home = mta::qmail_home();
        bool home_trouble = false;
        users::GetpwEnv env;
        env.allow_root = home.is_sandbox();
        env.account = [&](std::string_view name) { return mta::accounts::lookup(home, name); };
        env.home_owner = [&](const std::string& dir) {
          try {
            return users::home_owner(dir);
          } catch (const mta::TempError&) {
            home_trouble = true;
            throw;
          }
        };
        std::optional<users::Assignment> a;
        try {
          a = users::getpw(argv[1], env);
        } catch (const mta::TempError&) {
          return home_trouble ? users::qlx_nfs : users::qlx_sys;
        }
        if (!a) return users::qlx_noalias;
        mta::io::write_all(STDOUT_FILENO, users::format_getpw(*a));
        return mta::exit_ok;
      });
}
