// Fuzz target: the address-list parser. Whatever parses must format into
// text that parses back to the same list, and quote() must never throw.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/address.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  namespace a = mta::address;
  (void)a::quote(text);
  try {
    auto items = a::parse_address_list(text);
    auto again = a::parse_address_list(a::format_address_list(items));
    if (!(again == items)) std::abort();
  } catch (const a::AddressError&) {
  }
  return 0;
}
