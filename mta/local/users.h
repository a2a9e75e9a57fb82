// mta/local/users.h — who owns a local address (qmail-users(5)).
//
// Four jobs, each testable without processes:
//   compile_assign — users/assign text to the records of users/cdb, with
//                    qmail-newu's exact key and value layout;
//   lookup_cdb     — qmail-lspawn's search of users/cdb (exact key, then
//                    wildcard prefixes longest first, gated by wildchars);
//   getpw          — qmail-getpw's built-in mapping from a local part to an
//                    account (candidates cut at '-', else the alias user);
//   pw2u           — qmail-pw2u: V7 passwd text to assign text.
// The result of a lookup is always the six fields qmail passes around:
// user, uid, gid, homedir, dash, ext.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mta/core/accounts.h"
#include "mta/core/cdb.h"

namespace mta::users {

// qmail-lspawn / qmail-getpw exit codes (QLX_*) that concern accounts.
inline constexpr int qlx_nfs = 115;
inline constexpr int qlx_noalias = 116;
inline constexpr int qlx_cdb = 117;
inline constexpr int qlx_sys = 118;

struct Assignment {
  std::string user, uid, gid, home, dash, ext;
  bool operator==(const Assignment&) const = default;
};

// "user\0uid\0gid\0home\0dash\0ext\0": qmail-getpw's output.
std::string format_getpw(const Assignment& a);
// The six NUL-ended fields (what qmail-getpw printed, or a cdb value with a
// NUL appended); nullopt unless there are exactly six and nothing follows.
std::optional<Assignment> parse_fields(std::string_view text);

// --- users/assign -> users/cdb --------------------------------------------

class AssignFormatError : public std::runtime_error {
 public:
  AssignFormatError(std::size_t line, std::string why)
      : std::runtime_error(std::move(why)), line_(line) {}
  std::size_t line() const { return line_; }  // 1-based

 private:
  std::size_t line_;
};

using Records = std::vector<std::pair<std::string, std::string>>;

// The records qmail-newu writes for `assign`, in order, ending with the
// wildchars record (key ""). Throws AssignFormatError for: a line without
// final newline (including a missing "." line), a NUL, no ':', ':' first,
// fewer than six ':' after the key.
Records compile_assign(std::string_view assign);

// --- lookup (qmail-lspawn, reference 6.1) -------------------------------------

// A read-only view of users/cdb; find returns the first record's data.
using CdbFind = std::function<std::optional<std::string>(std::string_view key)>;

// Searches for local part `local` (original case). nullopt when no record
// applies. A record that does not hold six fields is a cdb problem
// (TempError, which lspawn turns into QLX_CDB).
std::optional<Assignment> lookup_cdb(std::string_view local, const CdbFind& find);

// --- qmail-getpw (reference 6.2) -------------------------------------------

struct GetpwEnv {
  // The account database (accounts::lookup in the programs).
  std::function<std::optional<accounts::Account>(std::string_view)> account;
  // The owner of a home directory; nullopt if it does not exist. Throws
  // TempError when stat fails for a temporary reason (NFS trouble).
  std::function<std::optional<uid_t>(const std::string&)> home_owner;
  std::string alias = "alias";
  char brk = '-';
  // A sandbox owned by root has only uid-0 accounts; there the owner check
  // of accounts::lookup replaces qmail's "never uid 0" rule.
  bool allow_root = false;
};

// nullopt when not even the alias account exists (QLX_NOALIAS).
std::optional<Assignment> getpw(std::string_view local, const GetpwEnv& env);

// The candidate account names of `local`, longest first, with where each
// ends (for tests): "a-b-c" -> a-b-c, a-b, a (before lower-casing/filtering).
std::vector<std::string_view> getpw_candidates(std::string_view local, char brk = '-');

// --- qmail-pw2u (reference 6.5) --------------------------------------------------

struct Pw2uOptions {
  enum class HomeCheck { skip_bad, abort_missing, none };  // -o, -h, -H
  HomeCheck home = HomeCheck::skip_bad;
  bool allow_upper = false;  // -u (default -U skips names with upper case)
  char brk = '-';            // -c X; '\0' with -C (no extension lines)
  std::string dash = "-";    // -/ makes it "-/"
  std::string alias = "alias";
};

struct Pw2uFiles {  // contents of users/<name>; nullopt when absent
  std::optional<std::string> include, exclude, mailnames, subusers, append;
};

// Throws TempError (exit 111) for the fatal cases: -h and a missing home,
// a missing alias account, a subuser of an unknown user.
std::string pw2u(std::string_view passwd, const Pw2uOptions& options, const Pw2uFiles& files,
                 const std::function<std::optional<uid_t>(const std::string&)>& home_owner);

}  // namespace mta::users
