// Fuzz target: DKIM tag lists, DKIM-Signature values and key records.
// Whatever parses must hold up: every tag's value sits where value_offset
// says, a signature's value_without_b is the input minus the b= value, and
// base64 that decodes re-encodes to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/dkim/tags.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  using namespace mta::dkim;
  try {
    for (const auto& t : parse_tags(text))
      if (text.compare(t.value_offset, t.value.size(), t.value) != 0) std::abort();
  } catch (const SyntaxError&) {
  }
  try {
    Signature s = parse_signature(text);
    if (s.value_without_b.size() >= text.size() || s.bh.size() != 32 || s.headers.empty()) std::abort();
  } catch (const SyntaxError&) {
  }
  try {
    parse_key_record(text);
  } catch (const SyntaxError&) {
  }
  if (auto bytes = base64_decode(text)) {
    if (base64_decode(base64_encode(*bytes)) != bytes) std::abort();
  }
  return 0;
}
