// Fuzz target: the strict passwd(5) parser of sandbox instances. Every
// accepted account has a name and an absolute home, and every line is
// either an account, a rejected line or a blank/comment line.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/accounts.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto file = mta::accounts::parse_passwd(bytes);
  for (const auto& a : file.accounts)
    if (a.name.empty() || a.home.empty() || a.home[0] != '/') std::abort();
  for (const auto& r : file.rejected)
    if (r.reason.empty() || r.line_number == 0) std::abort();
  return 0;
}
