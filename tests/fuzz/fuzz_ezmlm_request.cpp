// Fuzz target: ezmlm-request's command parser. Input: the first line is
// DEFAULT's rest, the second a Subject/body line, the rest an -f file.
// Whatever the bytes, a clean command must build an address whose every
// byte is in [A-Za-z0-9._+=@-] (nothing else may reach qmail-queue's
// envelope from a request), and the target must be a clean address.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "ezmlm/lib/request.h"

namespace {
bool address_bytes_ok(std::string_view a) {
  for (char c : a) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("._+=@-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

void check(const ezmlm::request::Command& cmd) {
  if (!cmd.unclean.empty()) return;
  if (!cmd.target.empty() && !ezmlm::request::is_target_address(cmd.target)) std::abort();
  std::string to = ezmlm::request::forward_address("list", "example.test", cmd, "joe@x.org");
  if (!address_bytes_ok(to)) std::abort();
  if (to.compare(0, 5, "list-") != 0) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view deflt = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto nl2 = rest.find('\n');
  std::string_view line = rest.substr(0, nl2);
  std::string_view config = nl2 == std::string_view::npos ? std::string_view() : rest.substr(nl2 + 1);

  auto lists = ezmlm::request::parse_config(config);
  ezmlm::request::ListLookup lookup = [&lists](std::string_view a) -> std::optional<std::string> {
    if (a == "list@example.test") return std::string("list");
    for (const auto& e : lists)
      if (e.address == a) return e.address.substr(0, e.address.rfind('@'));
    return std::nullopt;
  };
  if (auto r = ezmlm::request::default_rest(deflt)) check(ezmlm::request::parse_address_part(*r));
  if (auto cmd = ezmlm::request::parse_line(line, lookup)) check(*cmd);
  for (const auto& e : lists)
    if (e.dir.empty() || !ezmlm::request::is_target_address(e.address)) std::abort();
  return 0;
}
