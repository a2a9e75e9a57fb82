// filters/vuser.h — the user databases of virtual domains.
//
// A virtual domain keeps its users in a passwd(5)-format text file,
// "name:password:uid:gid:gecos:home:shell", one account a line:
//   virtmailfilter  reads <prefix>/<domain>/etc/passwd (the seed layout);
//   vdelivermail    reads <domaindir>/vpasswd.cdb, built from the text file
//                   <domaindir>/vpasswd by vuserdb (vpopmail's names), and
//                   falls back to the text file while no cdb exists.
// The shell field of a vdelivermail user is vpopmail's quota field
// ("NOQUOTA", a byte count, or a Maildir++ spec "100000S,500C").
//
// The parser is strict and works on bytes already read, so it is unit-tested
// and fuzzed: a bad line is skipped with a reason and the other lines still
// count; a line longer than max_line is never an account. Lookups are exact
// and case-sensitive (callers lower-case EXT first); the first match wins,
// as with getpwnam and cdb.
//
// Errors: TempError (4.3.0) when a database cannot be read, (4.3.5) when a
// cdb record does not parse (the cdb is damaged: rebuild it with vuserdb).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace filters::vuser {

namespace fs = std::filesystem;

// Longer lines are rejected ("line too long"): no account needs more.
inline constexpr std::size_t max_line = 4096;

struct VUser {
  std::string name, password;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string gecos, home, shell;
  bool operator==(const VUser&) const = default;
};

// One line without its newline. nullopt for a line that is not an account,
// with reason set ("" for a blank or #-comment line, which is no error).
std::optional<VUser> parse_line(std::string_view line, std::string& reason);

struct Rejected {
  std::size_t line_number;  // 1-based
  std::string reason;
};

// Every line of a passwd file. A final line without a newline counts.
struct File {
  std::vector<VUser> users;
  std::vector<Rejected> rejected;
};
File parse(std::string_view contents);

// The first account called name in the text file path. nullopt when there
// is none; TempError when the file cannot be opened or read.
std::optional<VUser> find_in_text(const fs::path& path, std::string_view name);

// The account called name in a cdb built by build_cdb. nullopt when the cdb
// does not exist (check exists() first) or has no such key.
std::optional<VUser> find_in_cdb(const fs::path& path, std::string_view name);

// Builds the cdb at path from a passwd file's contents, atomically (temp,
// fsync, rename): key = name, data = the line. Returns the lines left out
// (bad lines, and later duplicates of a name, which getpwnam would never see).
std::vector<Rejected> build_cdb(std::string_view contents, const fs::path& path);

// vdelivermail's lookup in a domain directory: vpasswd.cdb if it exists,
// else vpasswd; TempError (4.3.5) when neither exists.
std::optional<VUser> lookup(const fs::path& domain_dir, std::string_view name);

}  // namespace filters::vuser
