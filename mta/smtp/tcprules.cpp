#include "mta/smtp/tcprules.h"

namespace mta::tcprules {

Verdict parse(std::string_view data) {
  Verdict v;
  while (!data.empty()) {
    const std::size_t end = data.find('\0');
    const std::string_view item = data.substr(0, end);
    data = end == std::string_view::npos ? std::string_view() : data.substr(end + 1);
    if (item == "D") {
      v.deny = true;
    } else if (item.size() > 1 && item[0] == '+') {
      const std::size_t eq = item.find('=');
      if (eq != std::string_view::npos && eq > 1)
        v.env.emplace_back(std::string(item.substr(1, eq - 1)), std::string(item.substr(eq + 1)));
    }
  }
  return v;
}

std::vector<std::string> keys_for(std::string_view ip) {
  std::vector<std::string> keys;
  keys.emplace_back(ip);
  for (std::size_t n = ip.size(); n-- > 1;)
    if (ip[n - 1] == '.' || ip[n - 1] == ':') keys.emplace_back(ip.substr(0, n));
  keys.emplace_back();
  return keys;
}

}  // namespace mta::tcprules
