// mta/core/accounts.h — who a local account is: name, uid, gid, home.
//
// A root-mode instance asks the system (getpwnam). A sandbox instance
// (Home::is_sandbox()) never does: its accounts come from QH/users/passwd,
// passwd(5) format, and every account must have the uid of the instance
// owner (the owner of QH/sandbox) — a sandbox has exactly one real user, so
// an entry with another uid is a mistake and is refused, never honoured.
//
// The passwd parser is strict and works on bytes already read, so it is
// unit-tested and fuzzed: a bad line is skipped with a reason, and the other
// lines still count.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/paths.h"

namespace mta::accounts {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

// One line of passwd(5), "name:password:uid:gid:gecos:home:shell", without
// its newline. nullopt for a line that is not an account, with `reason` set
// ("" for a blank or #-comment line, which is not an error).
std::optional<Account> parse_passwd_line(std::string_view line, std::string& reason);

struct Rejected {
  std::size_t line_number;  // 1-based
  std::string reason;
};

struct PasswdFile {
  std::vector<Account> accounts;  // in file order
  std::vector<Rejected> rejected; // bad lines, with why
};

// A whole passwd file. A final line without a newline still counts.
PasswdFile parse_passwd(std::string_view contents);

// The uid that owns the instance: the owner of QH/sandbox. TempError if it
// cannot be stat'ed.
uid_t instance_owner(const Home& home);

// Looks `name` up (exact, case-sensitive, as getpwnam). nullopt when there is
// no such account — or, in a sandbox, when its uid is not the instance
// owner's. TempError when the account database cannot be read (a missing
// users/passwd in a sandbox means no accounts, not an error).
std::optional<Account> lookup(const Home& home, std::string_view name);

}  // namespace mta::accounts
