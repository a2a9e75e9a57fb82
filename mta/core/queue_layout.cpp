#include "mta/core/queue_layout.h"

#include <charconv>

namespace mta {

bool parse_queue_id(std::string_view name, std::uint64_t& id) {
  if (name.empty() || name.size() > 20) return false;
  if (name.size() > 1 && name[0] == '0') return false;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  return ec == std::errc() && end == name.data() + name.size();
}

}  // namespace mta
