// Fuzz target: the virtual domains' passwd reader (filters/vuser.h). Every
// accepted user has a safe name and a home, every rejected line a reason
// and a number, and an accepted line parses again to the same user.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "filters/vuser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto file = filters::vuser::parse(bytes);
  for (const auto& u : file.users) {
    if (u.name.empty() || u.home.empty() || u.name.find_first_of("/:") != std::string::npos) std::abort();
    std::string line = u.name + ":" + u.password + ":" + std::to_string(u.uid) + ":" + std::to_string(u.gid) +
                       ":" + u.gecos + ":" + u.home + ":" + u.shell;
    std::string reason;
    auto again = filters::vuser::parse_line(line, reason);
    if (!again || !(*again == u)) std::abort();
  }
  for (const auto& r : file.rejected)
    if (r.reason.empty() || r.line_number == 0) std::abort();
  return 0;
}
