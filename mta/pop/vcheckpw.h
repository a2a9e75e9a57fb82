// mta/pop/vcheckpw.h — a checkpassword for the users of virtual domains.
//
//   vcheckpassword [-p PREFIX] [-d SECONDS] PROGRAM [ARG...]
// follows the checkpassword interface (cr.yp.to/checkpwd/interface.html):
// it reads "login\0password\0timestamp\0" (at most 512 bytes) from fd 3 and,
// if the password is right, sets USER, HOME and SHELL, changes to HOME and
// execs PROGRAM — as the account's uid and gid when started as root. The
// login is "user@domain". The domain is the directory PREFIX/domain
// (default /virtual), and its users are read with the filters' readers
// (filters/vuser.h):
//   PREFIX/domain/etc/passwd             the seed's layout (virtmailfilter);
//   PREFIX/domain/vpasswd.cdb, vpasswd   vpopmail's (vdelivermail, vuserdb).
// Homes: absolute, or relative to the domain directory; either way they
// must lie inside it (symlinks resolved), and uid 0 is refused.
//
// The login is never trusted for building a path: user and domain are
// lower-cased and must not contain '/', "..", NUL or control bytes
// (filters::virt::checked_ext/checked_host); only an exact domain directory
// counts (no walking up to a parent domain).
//
// Passwords are checked with crypt(3) from libxcrypt — yescrypt ("$y$"),
// sha512-crypt ("$6$"), and whatever else it knows — and the result is
// compared in constant time. An empty, "*" or "!" field is a locked
// account. Unknown users cost a crypt() too, so that timing does not tell
// which users exist. Every failure waits SECONDS (default 2) before exiting,
// which slows down guessing over a connection qmail-popup holds open.
//
// Exit codes (the checkpassword convention): 1 bad login (unknown user,
// wrong password, locked account, unusable name), 2 misuse (bad fd 3 data,
// no PROGRAM), 111 temporary trouble (a database cannot be read, ids cannot
// be switched); on success the exit code is PROGRAM's.
#pragma once
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace mta::pop {

namespace fs = std::filesystem;

struct AuthData {
  std::string login, password, timestamp;
};
// Parses the fd 3 data; nullopt unless it holds at least login\0password\0
// and the login is not empty.
std::optional<AuthData> parse_auth_data(std::string_view data);

// crypt(password, hash) == hash, in constant time. False for a locked or
// unusable hash.
bool password_matches(std::string_view password, const std::string& hash);

// a == b without an early exit (the time depends on the lengths only).
bool equal_constant_time(std::string_view a, std::string_view b);

struct Account {
  std::string address;  // user@domain, lower-cased
  uid_t uid = 0;
  gid_t gid = 0;
  fs::path home;        // resolved, inside the domain directory
  std::string shell;
};

// The account for login if password is right; nullopt for a bad login.
// TempError when a user database cannot be read.
std::optional<Account> check_login(const fs::path& prefix, std::string_view login, std::string_view password);

// vcheckpassword's main after --help/--version.
int vcheckpassword_main(int argc, char** argv);

}  // namespace mta::pop
