// ezmlm/lib/cookie_addr.h — every cookie address of ezmlm (ezmlm.md 1.4),
// made and checked in one place.
//
// A cookie address proves that the list sent a request to someone: its hash
// is cookie(key, date, addr, action) over data only the list knows (the key).
// The forms, as the local part after "<list>-" (DEFAULT for the responder):
//
//   subscription   Xc.T.H-box=dom     X in s t r u v w; <list> is local,
//                                     local-digest, local-allow, local-deny;
//                                     key shortened by 0/1/2/3 bytes for
//                                     main/digest/allow/deny; valid for
//                                     T <= now <= T + 1 000 000 s
//   text edit      ed.T.file.H        addr = file contents (NUL -> '_') +
//                                     "text/<file>", action '-', full key,
//                                     T <= now <= T + 100 000 s
//   moderation     accept-T.PID.H     (also reject-, confirm-, discard-)
//                                     date "T.PID", empty addr, action 'a',
//                                     full key; no time limit (valid while
//                                     the post is queued: the caller checks)
//   bounce         return-warn-T.H-box=dom, return-probe-T.H-box=dom
//                                     addr box@dom, action 'W'/'P', full
//                                     key, now - T <= 3 000 000 s
//
// parse_*() take the text after the fixed prefix ("sc.T.H-box=dom" for a
// confirmation, "T.PID.H" after "accept-", "warn-T.H-box=dom" after
// "return-") and return nullopt for anything malformed: a missing or
// non-numeric time, a hash that is not 20 letters a..p, a file name outside
// [a-z_]. They never throw and never allocate more than their input.
// check_*() say ok, expired (the hash is right but the time is outside the
// window: the list did send it, a fresh request is in order) or forged (the
// hash is wrong: cut, altered or made up). Hashes are compared in constant
// time (cookie_equal).
//
// Target addresses travel with the last '@' written as '='
// (user@example.org -> user=example.org) and come back the same way.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "ezmlm/lib/sender.h"  // encode_target, decode_target

namespace ezmlm {

class ListDir;

// DIR/key, the list's secret. TempError (111) when missing or unreadable:
// without it no cookie can be made or checked, and retrying later is right.
std::string read_key(const ListDir& dir);

// The db a subscription cookie belongs to, chosen by the DEFAULT prefix.
enum class CookieDb { main, digest, allow, deny };

// "", "digest", "allow", "deny" (the subdirectory and the <#l#> suffix).
std::string_view cookie_db_name(CookieDb db);
// The key with 0/1/2/3 bytes cut off its end (never below empty).
std::string_view db_key(std::string_view key, CookieDb db);

inline constexpr std::time_t confirm_validity = 1000000;  // subscription, allow-add
inline constexpr std::time_t edit_validity = 100000;      // ed.
inline constexpr std::time_t bounce_validity = 3000000;   // return-warn/probe

struct CookieAddr {
  char action = 0;        // s t r u v w; '-' edit; 'a' moderation; 'W' 'P' bounce
  std::string time_text;  // T as written (the cookie hashes these bytes)
  std::uint64_t time = 0;
  std::string extra;      // moderation: PID; edit: file name
  std::string hash;       // 20 letters a..p (lowercased)
  std::string target;     // box@dom (last '=' turned back into '@'); may be empty
};

enum class CookieCheck { ok, expired, forged };

// --- subscription confirmations (s t r u v w) and allow-add ('t') ---------

// "Xc.T.H-box=dom": the part after "<list>-".
std::string confirm_cookie(std::string_view key, CookieDb db, char action, std::string_view target,
                           std::time_t now);
// "<l>-Xc.T.H-box=dom@host" with <l> = outlocal[-digest|-allow|-deny].
std::string confirm_address(const ListDir& dir, std::string_view key, CookieDb db, char action,
                            std::string_view target, std::time_t now);
// "sc.T.H" or "sc.T.H-box=dom" (X case-insensitive, hash folded to lower
// case; the target may be absent: the caller then uses the sender).
std::optional<CookieAddr> parse_confirm(std::string_view text);
// `target` is the address the cookie must have been made for.
CookieCheck check_confirm(std::string_view key, CookieDb db, const CookieAddr& c, std::string_view target,
                          std::time_t now);

// --- text edit (ed.T.file.H) ------------------------------------------------

// The addr string the edit cookie covers: contents with NUL -> '_' + "text/<file>".
std::string edit_subject(std::string_view contents, std::string_view file);
// "ed.T.file.H"; `file` is the text's name ("sub-ok"), written with '-' as
// '_' in the address (a '-' there would end the command).
std::string edit_cookie(std::string_view key, std::string_view file, std::string_view contents,
                        std::time_t now);
// "ed.T.file.H"; file must be [a-z_]+ (a path can never come through);
// extra gets the text's name with '_' turned back into '-'.
std::optional<CookieAddr> parse_edit(std::string_view text);
// Checked against the file as it is now: an edit of a changed file is "forged".
CookieCheck check_edit(std::string_view key, const CookieAddr& c, std::string_view contents,
                       std::time_t now);

// --- moderation and post confirmation (accept-/reject-/confirm-/discard-) ---

// "T.PID.H" (the part after "accept-" ...).
std::string moderation_cookie(std::string_view key, std::string_view time_text, std::string_view pid);
// "T.PID.H" -> action 'a', time, extra = PID.
std::optional<CookieAddr> parse_moderation(std::string_view text);
// Hash only: ok or forged (a queued post has no time limit here).
CookieCheck check_moderation(std::string_view key, const CookieAddr& c);

// --- bounce warnings and probes (return-warn-/return-probe-) ----------------

// "warn-T.H-box=dom" or "probe-T.H-box=dom" (action 'W' or 'P').
std::string bounce_cookie(std::string_view key, char action, std::string_view target, std::time_t now);
// "<l>-return-warn-T.H-box=dom@host" (l = outlocal, or outlocal-digest).
std::string bounce_address(const ListDir& dir, std::string_view key, bool digest, char action,
                           std::string_view target, std::time_t now);
// "warn-T.H-box=dom" / "probe-T.H-box=dom"; the target is required.
std::optional<CookieAddr> parse_bounce(std::string_view text);
CookieCheck check_bounce(std::string_view key, const CookieAddr& c, std::time_t now);

}  // namespace ezmlm
