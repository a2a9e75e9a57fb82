#include "mta/local/users.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "mta/core/address.h"
#include "mta/core/control.h"
#include "mta/core/exitcodes.h"

namespace mta::users {

namespace {

std::string lower(std::string_view s) { return address::ascii_lower(s); }

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == s.npos) return out;
    s.remove_prefix(at + 1);
  }
}

std::optional<unsigned long> decimal(std::string_view s) {
  unsigned long v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string format_getpw(const Assignment& a) {
  std::string out;
  for (const std::string* f : {&a.user, &a.uid, &a.gid, &a.home, &a.dash, &a.ext}) {
    out += *f;
    out += '\0';
  }
  return out;
}

std::optional<Assignment> parse_fields(std::string_view text) {
  if (text.empty() || text.back() != '\0') return std::nullopt;
  text.remove_suffix(1);
  auto f = split(text, '\0');
  if (f.size() != 6) return std::nullopt;
  return Assignment{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                    std::string(f[3]), std::string(f[4]), std::string(f[5])};
}

// --- users/assign ------------------------------------------------------------------

Records compile_assign(std::string_view assign) {
  Records records;
  std::string wildchars;
  std::size_t number = 0;
  for (;;) {
    ++number;
    std::size_t nl = assign.find('\n');
    std::string_view line = assign.substr(0, nl);
    // The "." line ends the file, even without its newline (qmail checks
    // for it before it checks the newline).
    if (!line.empty() && line[0] == '.') break;
    if (nl == assign.npos) throw AssignFormatError(number, "line does not end in a newline (missing final \".\" line?)");
    assign.remove_prefix(nl + 1);
    if (line.find('\0') != line.npos) throw AssignFormatError(number, "NUL byte in line");
    std::size_t colon = line.find(':');
    if (colon == line.npos) throw AssignFormatError(number, "no ':' in line");
    if (colon == 0) throw AssignFormatError(number, "':' in the first column");

    // Key: '!' + the address (or prefix) without its first character,
    // lower-cased; an exact ('=') address is NUL-terminated, a prefix is not.
    std::string key(1, '!');
    key += lower(line.substr(1, colon - 1));
    if (line[0] == '+') {
      if (colon >= 2 && wildchars.find(line[colon - 1]) == wildchars.npos) wildchars += line[colon - 1];
    } else {
      key += '\0';
    }

    // Value: the six fields after the key; the five inner ':' become NUL.
    std::string value;
    int colons = 0;
    std::size_t j = colon + 1;
    for (; j < line.size(); ++j) {
      if (line[j] == ':') {
        if (++colons == 6) break;
        value += '\0';
      } else {
        value += line[j];
      }
    }
    if (colons < 6) throw AssignFormatError(number, "fewer than six ':' after the address");
    records.emplace_back(std::move(key), std::move(value));
  }
  records.emplace_back(std::string(), std::move(wildchars));
  return records;
}

// --- lookup ----------------------------------------------------------------------------

std::optional<Assignment> lookup_cdb(std::string_view local, const CdbFind& find) {
  auto decode = [](const std::string& value) {
    auto a = parse_fields(value + '\0');
    if (!a) throw TempError("users/cdb has a record without six fields");
    return *a;
  };
  std::string key(1, '!');
  key += lower(local);
  std::string wildchars = find("").value_or("");

  // Exact address first: a simple assignment beats every wildcard.
  if (auto v = find(key + '\0')) return decode(*v);

  // Then prefixes, longest first; a non-empty prefix is worth a probe only
  // if it ends in a character some wildcard ends in.
  for (std::size_t len = local.size() + 1; len-- > 0;) {
    if (len > 0 && wildchars.find(key[len]) == wildchars.npos) continue;
    if (auto v = find(std::string_view(key).substr(0, len + 1))) {
      Assignment a = decode(*v);
      a.ext += local.substr(len);  // the rest keeps its case
      return a;
    }
  }
  return std::nullopt;
}

// --- qmail-getpw -----------------------------------------------------------------------

std::vector<std::string_view> getpw_candidates(std::string_view local, char brk) {
  std::vector<std::string_view> out{local};
  for (std::size_t i = local.size(); i-- > 0;)
    if (local[i] == brk) out.push_back(local.substr(0, i));
  return out;
}

std::optional<Assignment> getpw(std::string_view local, const GetpwEnv& env) {
  constexpr std::size_t name_limit = 32;  // qmail's GETPW_USERLEN
  for (std::string_view candidate : getpw_candidates(local, env.brk)) {
    if (candidate.size() >= name_limit) continue;
    auto acct = env.account(lower(candidate));
    if (!acct || (acct->uid == 0 && !env.allow_root)) continue;
    auto owner = env.home_owner(acct->home);
    if (!owner || *owner != acct->uid) continue;
    bool whole = candidate.size() == local.size();
    std::string ext(whole ? std::string_view() : local.substr(candidate.size() + 1));
    return Assignment{acct->name, std::to_string(acct->uid), std::to_string(acct->gid), acct->home,
                      whole ? "" : "-", std::move(ext)};
  }
  auto alias = env.account(env.alias);
  if (!alias) return std::nullopt;
  return Assignment{alias->name, std::to_string(alias->uid), std::to_string(alias->gid), alias->home,
                    "-", std::string(local)};
}

// --- qmail-pw2u --------------------------------------------------------------------------

namespace {

struct PwUser {
  std::string name, uid, gid, home;
};

// A key:value list file (constmap): case-insensitive key before the first
// ':', the last line wins, lines without ':' are ignored.
std::map<std::string, std::string> key_map(const std::optional<std::string>& file) {
  std::map<std::string, std::string> out;
  if (!file) return out;
  for (auto& line : control::parse_list(*file)) {
    std::size_t colon = line.find(':');
    if (colon == line.npos) continue;
    out[lower(std::string_view(line).substr(0, colon))] = line.substr(colon + 1);
  }
  return out;
}

std::map<std::string, bool> name_set(const std::optional<std::string>& file) {
  std::map<std::string, bool> out;
  if (file)
    for (auto& line : control::parse_list(*file)) out[lower(line)] = true;
  return out;
}

}  // namespace

std::string pw2u(std::string_view passwd, const Pw2uOptions& o, const Pw2uFiles& files,
                 const std::function<std::optional<uid_t>(const std::string&)>& home_owner) {
  auto include = name_set(files.include), exclude = name_set(files.exclude);
  auto mailnames = key_map(files.mailnames);
  std::map<std::string, PwUser> kept;  // by lower-cased name, for subusers
  std::string out;
  bool alias_seen = false;

  auto ext_line = [&](std::string_view name, const PwUser& u, std::string_view pre) {
    if (o.brk == '\0') return;
    out += cat("+", name, std::string(1, o.brk), ":", u.name, ":", u.uid, ":", u.gid, ":", u.home, ":",
               o.dash, ":", pre, ":\n");
  };

  while (!passwd.empty()) {
    std::size_t nl = passwd.find('\n');
    std::string_view line = passwd.substr(0, nl);
    passwd.remove_prefix(nl == passwd.npos ? passwd.size() : nl + 1);
    if (line.find('\0') != line.npos) continue;
    auto f = split(line, ':');
    if (f.size() < 7) continue;  // needs the ':' after the home directory
    auto uid = decimal(f[2]), gid = decimal(f[3]);
    if (!uid || !gid || *uid == 0) continue;
    if (!o.allow_upper && has_upper(f[0])) continue;
    std::string key = lower(f[0]);
    if (files.include && !include.count(key)) continue;
    if (exclude.count(key)) continue;
    PwUser u{std::string(f[0]), std::to_string(*uid), std::to_string(*gid), std::string(f[5])};
    if (o.home != Pw2uOptions::HomeCheck::none) {
      auto owner = home_owner(u.home);
      if (!owner && o.home == Pw2uOptions::HomeCheck::abort_missing)
        throw TempError(cat("home directory ", u.home, " of ", u.name, " does not exist"));
      if (!owner || *owner != *uid) continue;
    }
    kept[key] = u;

    std::vector<std::string> names;
    if (auto it = mailnames.find(key); it != mailnames.end()) {
      for (auto n : split(it->second, ':'))
        if (!n.empty()) names.emplace_back(n);
    } else {
      names.push_back(u.name);
    }
    for (const auto& name : names) {
      out += cat("=", name, ":", u.name, ":", u.uid, ":", u.gid, ":", u.home, ":::\n");
      ext_line(name, u, "");
    }
    if (u.name == o.alias) {
      alias_seen = true;
      out += cat("+:", u.name, ":", u.uid, ":", u.gid, ":", u.home, ":", o.dash, "::\n");
    }
  }
  if (!alias_seen) throw TempError(cat("no ", o.alias, " account in the passwd input"));

  if (files.subusers) {
    for (auto& line : control::parse_list(*files.subusers)) {
      auto f = split(line, ':');
      if (f.size() < 3) continue;
      auto it = kept.find(lower(f[1]));
      if (it == kept.end()) throw TempError(cat("subuser ", f[0], " belongs to unknown user ", f[1]));
      const PwUser& u = it->second;
      out += cat("=", f[0], ":", u.name, ":", u.uid, ":", u.gid, ":", u.home, ":", o.dash, ":", f[2], ":\n");
      if (o.brk != '\0') ext_line(f[0], u, cat(f[2], std::string(1, o.brk)));
    }
  }
  if (files.append) out += *files.append;
  out += ".\n";
  return out;
}

}  // namespace mta::users
