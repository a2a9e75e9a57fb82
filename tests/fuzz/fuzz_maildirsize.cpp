// Fuzz target: Maildir++ quota files and specs (filters/quota.h). A parsed
// quota spec formats and parses back to itself; the over-quota decision
// and the percentage never overflow whatever the file says.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "filters/quota.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto file = filters::quota::parse_maildirsize(bytes);
  if (file) {
    const auto& l = file->limits;
    if (!l.none() && filters::quota::parse_spec(filters::quota::format_spec(l)) != l) std::abort();
    (void)filters::quota::over_quota(l, file->usage, size);
    int pct = filters::quota::percent_used(l, file->usage);
    if (pct < 0 || pct > 100) std::abort();
  }
  auto spec = filters::quota::parse_spec(bytes.substr(0, bytes.find('\n')));
  if (spec && !spec->none() && filters::quota::parse_spec(filters::quota::format_spec(*spec)) != spec) std::abort();
  return 0;
}
