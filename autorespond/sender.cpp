// autorespond/sender.cpp — see sender.h.
#include "autorespond/sender.h"

#include <vector>

#include "mta/core/address.h"

namespace autorespond {

namespace {

using mta::address::ascii_lower;

bool istarts(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && mta::address::iequals(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    std::size_t k = s.find(sep, start);
    out.push_back(s.substr(start, k == std::string_view::npos ? std::string_view::npos : k - start));
    if (k == std::string_view::npos) return out;
    start = k + 1;
  }
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// SRS0=HASH=TT=orig-domain=orig-local@fwd, SRS1=HASH=fwd==HASH=TT=domain=local@fwd:
// the original address, or "" if this is not SRS.
std::string unwrap_srs(std::string_view local) {
  std::string_view rest;
  if (istarts(local, "SRS0=") || istarts(local, "SRS0+") || istarts(local, "SRS0-")) {
    rest = local.substr(5);
  } else if (istarts(local, "SRS1=") || istarts(local, "SRS1+") || istarts(local, "SRS1-")) {
    std::size_t dd = local.find("==", 5);
    if (dd == std::string_view::npos) return "";
    rest = local.substr(dd + 2);
  } else {
    return "";
  }
  auto fields = split(rest, '=');  // HASH, TT, domain, local (the local may hold '=')
  if (fields.size() < 4 || fields[2].empty()) return "";
  std::size_t local_start = fields[0].size() + fields[1].size() + fields[2].size() + 3;
  std::string_view orig_local = rest.substr(local_start);
  if (orig_local.empty()) return "";
  return std::string(orig_local) + "@" + std::string(fields[2]);
}

// prvs=TAG=local, btv1==TAG==local (BATV and its vendor variant).
std::string_view strip_batv(std::string_view local) {
  if (istarts(local, "btv1==")) {
    std::size_t k = local.find("==", 6);
    if (k != std::string_view::npos && k + 2 < local.size()) return local.substr(k + 2);
    return local;
  }
  if (istarts(local, "prvs=") || istarts(local, "msprvs1=")) {
    std::size_t start = local.find('=') + 1;
    std::size_t k = local.find('=', start);
    if (k != std::string_view::npos && k + 1 < local.size()) return local.substr(k + 1);
  }
  return local;
}

// "+tag" and every all-digit "-N-" component (VERP message numbers).
std::string strip_tags(std::string_view local) {
  std::size_t plus = local.find('+');
  if (plus != std::string_view::npos && plus > 0) local = local.substr(0, plus);
  std::string out;
  auto parts = split(local, '-');
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out.push_back('-');
    // The first component is the mailbox itself; a number there is a name.
    out += (k > 0 && all_digits(parts[k])) ? std::string_view("#") : parts[k];
  }
  return out;
}

}  // namespace

std::string normalize_sender(std::string_view sender) {
  auto split = mta::address::split_at_last(sender);
  if (!split.has_at) return std::string(sender);
  std::string local(split.local), domain(split.domain);
  // An SRS address names the original sender; it may itself carry BATV or
  // another SRS layer. Unwrap until nothing changes, so that the key is a
  // fixed point (normalising a key gives the same key). This ends: every
  // SRS unwrap and BATV strip shortens the address, and strip_tags only
  // shortens it or turns digits into '#', once.
  for (;;) {
    if (std::string orig = unwrap_srs(local); !orig.empty()) {
      auto s = mta::address::split_at_last(orig);
      local = std::string(s.local);
      domain = std::string(s.domain);
      continue;
    }
    std::string next = strip_tags(strip_batv(local));
    if (next == local) break;
    local = std::move(next);
  }
  return ascii_lower(local) + "@" + ascii_lower(domain);
}

}  // namespace autorespond
