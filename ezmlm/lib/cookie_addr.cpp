#include "ezmlm/lib/cookie_addr.h"

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/listdir.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace ezmlm {

namespace {

// Times longer than this are not times (and would overflow).
constexpr std::size_t max_time_digits = 19;

bool is_hash(std::string_view s) {
  if (s.size() != cookie_length) return false;
  for (char c : s) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (l < 'a' || l > 'p') return false;
  }
  return true;
}

std::string lower_hash(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Decimal digits only, 1..19 of them.
std::optional<std::uint64_t> parse_time(std::string_view s) {
  if (s.empty() || s.size() > max_time_digits) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// Takes "<digits>." off the front of s.
std::optional<std::string_view> take_number(std::string_view& s) {
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view num = s.substr(0, dot);
  if (!parse_time(num)) return std::nullopt;
  s.remove_prefix(dot + 1);
  return num;
}

// "T.H" or "T.H-target" (after the action prefix); the target optional or required.
std::optional<CookieAddr> parse_time_hash_target(std::string_view s, char action, bool need_target) {
  CookieAddr c;
  c.action = action;
  auto t = take_number(s);
  if (!t) return std::nullopt;
  c.time_text = std::string(*t);
  c.time = *parse_time(*t);
  std::string_view hash = s.substr(0, cookie_length);
  if (!is_hash(hash)) return std::nullopt;
  c.hash = lower_hash(hash);
  s.remove_prefix(cookie_length);
  if (s.empty()) {
    if (need_target) return std::nullopt;
    return c;
  }
  if (s.front() != '-' || s.size() == 1) return std::nullopt;
  c.target = decode_target(s.substr(1));
  return c;
}

bool in_window(const CookieAddr& c, std::time_t now, std::time_t validity) {
  if (now < 0) return false;
  auto n = static_cast<std::uint64_t>(now);
  return c.time <= n && n - c.time <= static_cast<std::uint64_t>(validity);
}

CookieCheck verdict(std::string_view expected, const CookieAddr& c, bool fresh) {
  if (!cookie_equal(expected, c.hash)) return CookieCheck::forged;
  return fresh ? CookieCheck::ok : CookieCheck::expired;
}

std::string list_local(const ListDir& dir, CookieDb db) {
  std::string l = dir.outlocal();
  if (db != CookieDb::main) {
    l += '-';
    l += cookie_db_name(db);
  }
  return l;
}

}  // namespace

std::string read_key(const ListDir& dir) {
  std::optional<std::string> key;
  try {
    key = mta::io::read_file(dir.path() / "key");
  } catch (const mta::MailError&) {
    key.reset();
  }
  if (!key) throw mta::TempError(mta::cat("unable to read ", (dir.path() / "key").string()), "4.3.0");
  return *key;
}

std::string_view cookie_db_name(CookieDb db) {
  switch (db) {
    case CookieDb::digest: return "digest";
    case CookieDb::allow: return "allow";
    case CookieDb::deny: return "deny";
    case CookieDb::main: break;
  }
  return "";
}

std::string_view db_key(std::string_view key, CookieDb db) {
  std::size_t cut = static_cast<std::size_t>(db);  // main 0, digest 1, allow 2, deny 3
  return key.substr(0, key.size() > cut ? key.size() - cut : 0);
}

// --- subscription ----------------------------------------------------------

std::string confirm_cookie(std::string_view key, CookieDb db, char action, std::string_view target,
                           std::time_t now) {
  std::string t = std::to_string(now);
  return mta::cat(std::string_view(&action, 1), "c.", t, ".", cookie(db_key(key, db), t, target, action), "-",
                  encode_target(target));
}

std::string confirm_address(const ListDir& dir, std::string_view key, CookieDb db, char action,
                            std::string_view target, std::time_t now) {
  return mta::cat(list_local(dir, db), "-", confirm_cookie(key, db, action, target, now), "@", dir.outhost());
}

std::optional<CookieAddr> parse_confirm(std::string_view text) {
  if (text.size() < 3 || (text[1] != 'c' && text[1] != 'C') || text[2] != '.') return std::nullopt;
  char a = text[0];
  if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
  if (std::string_view("struvw").find(a) == std::string_view::npos) return std::nullopt;
  return parse_time_hash_target(text.substr(3), a, false);
}

CookieCheck check_confirm(std::string_view key, CookieDb db, const CookieAddr& c, std::string_view target,
                          std::time_t now) {
  return verdict(cookie(db_key(key, db), c.time_text, target, c.action), c, in_window(c, now, confirm_validity));
}

// --- edit ------------------------------------------------------------------

std::string edit_subject(std::string_view contents, std::string_view file) {
  std::string s(contents);
  for (char& ch : s)
    if (ch == '\0') ch = '_';
  s += "text/";
  s += file;
  return s;
}

std::string edit_cookie(std::string_view key, std::string_view file, std::string_view contents,
                        std::time_t now) {
  std::string t = std::to_string(now);
  std::string in_address(file);
  for (char& ch : in_address)
    if (ch == '-') ch = '_';
  return mta::cat("ed.", t, ".", in_address, ".", cookie(key, t, edit_subject(contents, file), '-'));
}

std::optional<CookieAddr> parse_edit(std::string_view text) {
  if (text.size() < 3 || (text[0] != 'e' && text[0] != 'E') || (text[1] != 'd' && text[1] != 'D') ||
      text[2] != '.')
    return std::nullopt;
  text.remove_prefix(3);
  CookieAddr c;
  c.action = '-';
  auto t = take_number(text);
  if (!t) return std::nullopt;
  c.time_text = std::string(*t);
  c.time = *parse_time(*t);
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::string_view file = text.substr(0, dot);
  for (char ch : file)
    if (!((ch >= 'a' && ch <= 'z') || ch == '_')) return std::nullopt;
  c.extra = std::string(file);
  for (char& ch : c.extra)
    if (ch == '_') ch = '-';
  text.remove_prefix(dot + 1);
  if (!is_hash(text)) return std::nullopt;
  c.hash = lower_hash(text);
  return c;
}

CookieCheck check_edit(std::string_view key, const CookieAddr& c, std::string_view contents, std::time_t now) {
  return verdict(cookie(key, c.time_text, edit_subject(contents, c.extra), '-'), c,
                 in_window(c, now, edit_validity));
}

// --- moderation ------------------------------------------------------------

std::string moderation_cookie(std::string_view key, std::string_view time_text, std::string_view pid) {
  std::string date = mta::cat(time_text, ".", pid);
  return mta::cat(date, ".", cookie(key, date, "", 'a'));
}

std::optional<CookieAddr> parse_moderation(std::string_view text) {
  CookieAddr c;
  c.action = 'a';
  auto t = take_number(text);
  if (!t) return std::nullopt;
  auto pid = take_number(text);
  if (!pid) return std::nullopt;
  if (!is_hash(text)) return std::nullopt;
  c.time_text = std::string(*t);
  c.time = *parse_time(*t);
  c.extra = std::string(*pid);
  c.hash = lower_hash(text);
  return c;
}

CookieCheck check_moderation(std::string_view key, const CookieAddr& c) {
  return verdict(cookie(key, mta::cat(c.time_text, ".", c.extra), "", 'a'), c, true);
}

// --- bounce ----------------------------------------------------------------

std::string bounce_cookie(std::string_view key, char action, std::string_view target, std::time_t now) {
  std::string t = std::to_string(now);
  return mta::cat(action == 'P' ? "probe-" : "warn-", t, ".", cookie(key, t, target, action), "-",
                  encode_target(target));
}

std::string bounce_address(const ListDir& dir, std::string_view key, bool digest, char action,
                           std::string_view target, std::time_t now) {
  return mta::cat(list_local(dir, digest ? CookieDb::digest : CookieDb::main), "-return-",
                  bounce_cookie(key, action, target, now), "@", dir.outhost());
}

std::optional<CookieAddr> parse_bounce(std::string_view text) {
  char action = 0;
  if (text.substr(0, 5) == "warn-") {
    action = 'W';
    text.remove_prefix(5);
  } else if (text.substr(0, 6) == "probe-") {
    action = 'P';
    text.remove_prefix(6);
  } else {
    return std::nullopt;
  }
  return parse_time_hash_target(text, action, true);
}

CookieCheck check_bounce(std::string_view key, const CookieAddr& c, std::time_t now) {
  return verdict(cookie(key, c.time_text, c.target, c.action), c, in_window(c, now, bounce_validity));
}

}  // namespace ezmlm
