// Fuzz target: the address-list parser. Whatever parses must format into
// text that parses back to the same list, and quote() must never throw.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "mta/core/address.h"

namespace {
// The internal form cannot say every address: a quoted local part holding
// '@' moves the split, and domains are never quoted (qmail has the same
// limits). Round trips are only checked for addresses it can say.
bool sayable(const std::vector<mta::address::Item>& items) {
  for (const auto& item : items)
    for (const auto& m : item.members) {
      auto sp = mta::address::split_at_last(m.address);
      if (sp.local.find('@') != std::string_view::npos) return false;
      if (sp.domain.find_first_of(" \t\r\n\"(),:;<>@\\[]") != std::string_view::npos &&
          !(sp.domain.starts_with('[') && sp.domain.ends_with(']') &&
            sp.domain.substr(1, sp.domain.size() - 2).find_first_of("[]\\\r\n") == std::string_view::npos))
        return false;
      if (!sp.has_at && m.address.find('@') != std::string::npos) return false;
    }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  namespace a = mta::address;
  (void)a::quote(text);
  try {
    auto items = a::parse_address_list(text);
    auto again = a::parse_address_list(a::format_address_list(items));
    if (sayable(items) && !(again == items)) std::abort();
  } catch (const a::AddressError&) {
  }
  return 0;
}
