// Fuzz target: SENDER decoding and subscriber-address validation. Decoding
// only ever shortens an address and keeps an '@' in what it changed;
// check_address either accepts or throws BadAddress, and accepts only what
// the std store can hold.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/hash.h"
#include "ezmlm/lib/sender.h"
#include "ezmlm/lib/subdb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string out = ezmlm::decode_sender(in);
  if (out.size() > in.size()) std::abort();
  if (out != in && out.find('@') == std::string::npos) std::abort();
  try {
    ezmlm::check_address(in);
    if (in.size() > ezmlm::max_address_bytes || in.find('@') == std::string::npos ||
        in.find('\0') != std::string::npos || in.find('\n') != std::string::npos)
      std::abort();
    std::string stored = ezmlm::stored_form(in);
    if (stored.size() != in.size()) std::abort();
    char l = ezmlm::letter_7x(stored), g = ezmlm::letter_legacy(stored);
    if (l < '@' || l > 't' || g < '@' || g > 't') std::abort();
  } catch (const ezmlm::BadAddress&) {
  }
  return 0;
}
