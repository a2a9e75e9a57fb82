// ezmlm/lib/split.cpp — ezmlm-split's rule file and address mapping.
#include "ezmlm/lib/split.h"

#include "ezmlm/lib/hash.h"
#include "ezmlm/lib/sender.h"
#include "mta/core/address.h"
#include "mta/core/text.h"

namespace ezmlm::split {

namespace {
using mta::cat;

std::string_view trim(std::string_view s) {
  return mta::text::trim_right(mta::text::trim_left(s, mta::text::blanks), " \t\r");
}

unsigned long leading_number(std::string_view s) {
  unsigned long n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    n = n * 10 + static_cast<unsigned long>(c - '0');
    if (n > 1000) n = 1000;  // far beyond 52: no overflow, same verdict
  }
  return n;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && mta::address::iequals(s.substr(0, prefix.size()), prefix);
}
}  // namespace

std::string domain_key(std::string_view address) {
  std::size_t at = address.find('@');
  std::string_view dom = at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
  if (!dom.empty() && dom.back() == '.') dom.remove_suffix(1);
  std::size_t last = dom.rfind('.');
  if (last == std::string_view::npos) return std::string(dom);
  std::string_view before = dom.substr(0, last);
  std::size_t prev = before.rfind('.');
  std::string_view second = prev == std::string_view::npos ? before : before.substr(prev + 1);
  return cat(dom.substr(last + 1), ".", second);
}

std::optional<std::string> find_sublist(std::string_view rules, std::string_view address,
                                        std::string_view outhost, std::string_view rules_name) {
  if (address.find('@') == std::string_view::npos)
    throw mta::PermError(cat("address lacks '@': ", address), "");
  std::string lower = mta::address::ascii_lower(address);
  unsigned hash = sql_hash(lower);
  std::string key = domain_key(lower);

  unsigned long lineno = 0;
  while (!rules.empty()) {
    std::size_t nl = rules.find('\n');
    std::string_view line = rules.substr(0, nl);
    rules = nl == std::string_view::npos ? std::string_view() : rules.substr(nl + 1);
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;  // a blank or stray line
    std::string_view dom = line.substr(0, c1);
    if (!dom.empty() && !starts_with_nocase(key, dom)) continue;
    std::string_view rest = line.substr(c1 + 1);
    std::size_t c2 = rest.find(':');
    if (rest.empty() || c2 == std::string_view::npos)
      throw mta::TempError(cat(rules_name, " syntax error line ", std::to_string(lineno), ": ", line), "");
    unsigned long lo = leading_number(rest.substr(0, c2));
    std::string_view tail = rest.substr(c2 + 1);
    std::size_t c3 = tail.find(':');
    unsigned long hi = c3 == 0 ? 52 : leading_number(tail.substr(0, c3));
    std::string_view name = c3 == std::string_view::npos ? std::string_view() : trim(tail.substr(c3 + 1));
    if (hash > hi || hash < lo) continue;
    if (name.empty()) return std::nullopt;
    if (name.find('@') == std::string_view::npos) return cat(name, "@", outhost);
    return std::string(name);
  }
  return std::nullopt;
}

Request parse_default(std::string_view deflt, std::string_view sender) {
  Request r;
  std::size_t dash = deflt.find('-');
  r.action = std::string(deflt.substr(0, dash));
  if (dash == std::string_view::npos) {
    r.target = std::string(sender);
  } else {
    r.target = decode_target(deflt.substr(dash + 1));
  }
  return r;
}

bool is_split_action(std::string_view action) {
  return mta::address::iequals(action, "subscribe") || mta::address::iequals(action, "unsubscribe");
}

std::string forward_address(std::string_view sublist, std::string_view action, std::string_view target) {
  std::size_t at = sublist.rfind('@');
  std::string_view sublocal = sublist.substr(0, at);
  std::string_view subhost = at == std::string_view::npos ? std::string_view() : sublist.substr(at + 1);
  return cat(sublocal, "-", action, "-", encode_target(target), "@", subhost);
}

}  // namespace ezmlm::split
