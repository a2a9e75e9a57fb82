#include "ezmlm/lib/sender.h"

#include "ezmlm/lib/listdir.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"

namespace ezmlm {

namespace {
bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && mta::address::iequals(s.substr(0, prefix.size()), prefix);
}

bool is_hex_tag(std::string_view s) {
  if (s.size() < 9) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// "HH=TT=domain=user" (the SRS0 tail) -> user@domain, or nullopt.
std::optional<std::string> srs_tail(std::string_view t) {
  auto a = t.find('=');
  if (a == std::string_view::npos || a == 0) return std::nullopt;  // hash
  auto b = t.find('=', a + 1);
  if (b == std::string_view::npos || b == a + 1) return std::nullopt;  // timestamp
  auto c = t.find('=', b + 1);
  if (c == std::string_view::npos || c == b + 1) return std::nullopt;  // domain
  std::string_view domain = t.substr(b + 1, c - b - 1);
  std::string_view user = t.substr(c + 1);
  if (user.empty()) return std::nullopt;
  return mta::cat(user, "@", domain);
}
}  // namespace

// decode_sender - undo SRS, BATV prvs and btv1 (sender.h).
std::string decode_sender(std::string_view sender) {
  auto at = sender.rfind('@');
  if (at == std::string_view::npos) return std::string(sender);
  std::string_view local = sender.substr(0, at);
  std::string_view domain = sender.substr(at + 1);
  if (domain.empty()) return std::string(sender);

  if (starts_with_ci(local, "SRS0=")) {
    if (auto out = srs_tail(local.substr(5))) return *out;
  } else if (starts_with_ci(local, "SRS1=")) {
    auto dd = local.find("==", 5);
    if (dd != std::string_view::npos)
      if (auto out = srs_tail(local.substr(dd + 2))) return *out;
  } else if (starts_with_ci(local, "prvs=")) {
    std::string_view rest = local.substr(5);
    auto eq = rest.find('=');
    if (eq != std::string_view::npos) {
      // prvs=TAG=user@dom
      if (is_hex_tag(rest.substr(0, eq)) && eq + 1 < rest.size())
        return mta::cat(rest.substr(eq + 1), "@", domain);
      // prvs=user=TAG@dom
      auto last = rest.rfind('=');
      if (last > 0 && is_hex_tag(rest.substr(last + 1)))
        return mta::cat(rest.substr(0, last), "@", domain);
    }
  } else if (starts_with_ci(local, "btv1==")) {
    std::string_view rest = local.substr(6);
    auto dd = rest.find("==");
    if (dd != std::string_view::npos && dd > 0 && dd + 2 < rest.size())
      return mta::cat(rest.substr(dd + 2), "@", domain);
  }
  return std::string(sender);
}

bool is_bounce_sender(std::string_view sender) { return sender.empty() || sender == "#@[]"; }

std::string checked_sender(const ListDir& dir) {
  const auto& s = dir.env().sender;
  if (!s) throw mta::PermError(dir.message("ERR_NOSENDER"), "");
  if (is_bounce_sender(*s)) throw mta::PermError(dir.message("ERR_BOUNCE"), "");
  return decode_sender(*s);
}

std::string encode_target(std::string_view address) {
  std::string out(address);
  auto at = out.rfind('@');
  if (at != std::string::npos) out[at] = '=';
  return out;
}

std::string decode_target(std::string_view text) {
  std::string out(text);
  auto eq = out.rfind('=');
  if (eq != std::string::npos) out[eq] = '@';
  return out;
}

}  // namespace ezmlm
