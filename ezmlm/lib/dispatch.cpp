// ezmlm/lib/dispatch.cpp — ezmlm-dispatch's address-to-command-file table.
#include "ezmlm/lib/dispatch.h"

#include <sys/stat.h>

#include "mta/core/address.h"

namespace ezmlm::dispatch {

namespace {
// starts - case-insensitive prefix test; rest_r gets what follows.
bool starts(std::string_view s, std::string_view prefix, std::string* rest_r = nullptr) {
  if (s.size() < prefix.size() || !mta::address::iequals(s.substr(0, prefix.size()), prefix)) return false;
  if (rest_r) *rest_r = std::string(s.substr(prefix.size()));
  return true;
}

bool is_dir(const std::filesystem::path& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
}  // namespace

Route route(const std::optional<std::string>& rest) {
  if (!rest || rest->empty()) return {"editor", std::nullopt};
  const std::string& r = *rest;
  std::string tail;
  if (mta::address::iequals(r, "owner") || mta::address::iequals(r, "digest-owner")) return {"owner", std::nullopt};
  if (starts(r, "digest-return-", &tail)) return {"digest/bouncer", tail};
  if (starts(r, "return-", &tail)) return {"bouncer", tail};
  if (starts(r, "confirm-", &tail) || starts(r, "discard-", &tail)) return {"confirmer", tail};
  if (starts(r, "accept-", &tail) || starts(r, "reject-", &tail)) return {"moderator", tail};
  return {"manager", r};
}

std::optional<Target> find_list(const std::filesystem::path& dir, std::string_view deflt) {
  // Longest prefix first: "team-digest-return-1" tries itself, then shorter.
  std::size_t end = deflt.size();
  for (;;) {
    std::string_view name = deflt.substr(0, end);
    if (!name.empty() && name[0] != '.' && is_dir(dir / std::string(name))) {
      Target t{std::string(name), std::nullopt};
      if (end < deflt.size()) t.rest = std::string(deflt.substr(end + 1));
      return t;
    }
    std::size_t dash = name.rfind('-');
    if (dash == std::string_view::npos) return std::nullopt;
    end = dash;
  }
}

}  // namespace ezmlm::dispatch
