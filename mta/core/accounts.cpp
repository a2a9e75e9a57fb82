#include "mta/core/accounts.h"

#include <pwd.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace mta::accounts {

namespace {

// parse_id - a decimal uid/gid, nothing else (no sign, no space, no overflow)
std::optional<unsigned long> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  unsigned long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (v > 0xfffffffeUL) return std::nullopt;  // (uid_t)-1 means "no change"
  return v;
}

}  // namespace

std::optional<Account> parse_passwd_line(std::string_view line, std::string& reason) {
  reason.clear();
  if (line.empty() || line[0] == '#') return std::nullopt;
  if (line.find('\0') != line.npos) { reason = "NUL byte in line"; return std::nullopt; }
  if (!line.empty() && line.back() == '\r') { reason = "carriage return at end of line"; return std::nullopt; }

  // Split into exactly seven fields.
  std::vector<std::string_view> f;
  std::string_view rest = line;
  for (;;) {
    std::size_t colon = rest.find(':');
    f.push_back(rest.substr(0, colon));
    if (colon == rest.npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (f.size() != 7) { reason = cat("expected 7 fields, found ", std::to_string(f.size())); return std::nullopt; }

  Account a;
  if (f[0].empty()) { reason = "empty account name"; return std::nullopt; }
  for (char c : f[0])
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 127 || c == '/') {
      reason = "account name has a space, control character or '/'";
      return std::nullopt;
    }
  auto uid = parse_id(f[2]), gid = parse_id(f[3]);
  if (!uid) { reason = "uid is not a decimal number"; return std::nullopt; }
  if (!gid) { reason = "gid is not a decimal number"; return std::nullopt; }
  if (f[5].empty() || f[5][0] != '/') { reason = "home directory is not an absolute path"; return std::nullopt; }
  a.name = f[0];
  a.uid = static_cast<uid_t>(*uid);
  a.gid = static_cast<gid_t>(*gid);
  a.home = f[5];
  return a;
}

PasswdFile parse_passwd(std::string_view contents) {
  PasswdFile out;
  std::size_t number = 0;
  while (!contents.empty()) {
    std::size_t nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);
    contents.remove_prefix(nl == contents.npos ? contents.size() : nl + 1);
    ++number;
    std::string reason;
    if (auto a = parse_passwd_line(line, reason))
      out.accounts.push_back(std::move(*a));
    else if (!reason.empty())
      out.rejected.push_back({number, std::move(reason)});
  }
  return out;
}

uid_t instance_owner(const Home& home) {
  struct stat st;
  if (::stat(home.sandbox_marker().c_str(), &st) == -1)
    throw_errno(cat("unable to stat ", home.sandbox_marker().string()));
  return st.st_uid;
}

std::optional<Account> lookup(const Home& home, std::string_view name) {
  if (home.is_sandbox()) {
    uid_t owner = instance_owner(home);
    auto contents = io::read_file(home.users() / "passwd");
    if (!contents) return std::nullopt;
    // The first entry with the name decides, as in getpwnam; a refused
    // entry is not replaced by a later one.
    for (auto& a : parse_passwd(*contents).accounts)
      if (a.name == name) return a.uid == owner ? std::optional<Account>(std::move(a)) : std::nullopt;
    return std::nullopt;
  }
  std::string key(name);
  errno = 0;
  struct passwd* pw = ::getpwnam(key.c_str());
  // ETXTBSY is how qmail's getpwnam callers learn of a busy database.
  if (!pw && errno == ETXTBSY) throw_errno("unable to read the account database", errno);
  if (!pw) return std::nullopt;
  return Account{pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir};
}

}  // namespace mta::accounts
