// mta/send/rewrite.cpp — qmail-send's recipient rewriting (see rewrite.h).
#include "mta/send/rewrite.h"

#include "mta/core/address.h"

namespace mta::send {
namespace {

std::string lower(std::string_view s) { return address::ascii_lower(s); }

// The virtualdomains value for domain: the domain itself, each ".suffix"
// longest first, then the catch-all "" key. nullptr if nothing matches.
const std::string* vdomain_lookup(const ConstMap& vd, std::string_view domain) {
  if (const std::string* v = vd.find(domain)) return v;
  for (std::size_t i = 0; i < domain.size(); ++i)
    if (domain[i] == '.')
      if (const std::string* v = vd.find(domain.substr(i))) return v;
  return vd.find("");
}

}  // namespace

ConstMap ConstMap::keys(const std::vector<std::string>& lines) {
  ConstMap m;
  for (const auto& line : lines) m.add(line, "");
  return m;
}

ConstMap ConstMap::pairs(const std::vector<std::string>& lines) {
  ConstMap m;
  for (const auto& line : lines) {
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    m.add(std::string_view(line).substr(0, colon), std::string_view(line).substr(colon + 1));
  }
  return m;
}

void ConstMap::add(std::string_view key, std::string_view value) {
  // constmap prepends to its hash chains, so a later duplicate shadows an
  // earlier one: assignment gives the same answer.
  map_[lower(key)] = std::string(value);
}

const std::string* ConstMap::find(std::string_view key) const {
  auto it = map_.find(lower(key));
  return it == map_.end() ? nullptr : &it->second;
}

Target rewrite(const Rewriting& rw, std::string_view address) {
  std::string addr(address);
  if (addr.find('@') == std::string::npos) addr += "@" + rw.envnoathost;

  // percenthack: "u%h@domain" -> "u@h" while the domain is listed.
  for (;;) {
    std::size_t at = addr.rfind('@');
    if (!rw.percenthack.contains(std::string_view(addr).substr(at + 1))) break;
    std::size_t pct = addr.rfind('%', at);
    if (pct == std::string::npos) break;
    addr.resize(at);
    addr[pct] = '@';
  }

  std::size_t at = addr.rfind('@');
  std::string_view domain = std::string_view(addr).substr(at + 1);
  if (rw.locals.contains(domain)) return {true, addr};

  const std::string* prepend = rw.virtualdomains.find(addr);
  if (!prepend) prepend = vdomain_lookup(rw.virtualdomains, domain);
  if (!prepend || prepend->empty()) return {false, addr};
  return {true, *prepend + "-" + addr};
}

std::string bounce_recipient(const Rewriting& rw, std::string_view address) {
  std::string out(address);
  std::size_t at = out.rfind('@');
  if (at != std::string::npos) {
    const std::string* prepend = vdomain_lookup(rw.virtualdomains, std::string_view(out).substr(at + 1));
    if (prepend && !prepend->empty() && out.size() > prepend->size() &&
        out.compare(0, prepend->size(), *prepend) == 0 && out[prepend->size()] == '-')
      out.erase(0, prepend->size() + 1);
  }
  for (char& c : out)
    if (c == '\n') c = '_';
  return out;
}

}  // namespace mta::send
