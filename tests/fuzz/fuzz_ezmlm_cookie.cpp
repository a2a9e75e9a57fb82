// Fuzz target: the cookie address parsers (ezmlm/lib/cookie_addr.h).
// Every parse either refuses or gives a time of at most 19 digits and a
// 20-letter a..p hash; a parsed confirmation or bounce address, made again
// from its own parts with the right key, checks as ok at its own time, and
// the parsed hash with any other key is never "ok" unless it is that hash.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/cookie_addr.h"

namespace {
void check_shape(const ezmlm::CookieAddr& c) {
  if (c.hash.size() != 20 || c.hash.find_first_not_of("abcdefghijklmnop") != std::string::npos) std::abort();
  if (c.time_text.empty() || c.time_text.size() > 19) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  const std::string key = "fuzz key";
  if (auto c = ezmlm::parse_confirm(text)) {
    check_shape(*c);
    ezmlm::CookieAddr good = *c;
    good.hash = ezmlm::cookie(key, c->time_text, c->target, c->action);
    if (c->time <= 4000000000u) {
      auto now = static_cast<std::time_t>(c->time);
      if (ezmlm::check_confirm(key, ezmlm::CookieDb::main, good, c->target, now) != ezmlm::CookieCheck::ok)
        std::abort();
      bool same = c->hash == good.hash;
      if (!same && ezmlm::check_confirm(key, ezmlm::CookieDb::main, *c, c->target, now) == ezmlm::CookieCheck::ok)
        std::abort();
    }
  }
  if (auto c = ezmlm::parse_edit(text)) {
    check_shape(*c);
    if (c->extra.empty() || c->extra.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos)
      std::abort();
  }
  if (auto c = ezmlm::parse_moderation(text)) {
    check_shape(*c);
    (void)ezmlm::check_moderation(key, *c);
  }
  if (auto c = ezmlm::parse_bounce(text)) {
    check_shape(*c);
    if (c->target.empty()) std::abort();
    (void)ezmlm::check_bounce(key, *c, 0);
  }
  (void)ezmlm::decode_target(text);
  return 0;
}
