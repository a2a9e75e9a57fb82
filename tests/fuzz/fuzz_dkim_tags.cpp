// Fuzz target: DKIM tag lists, DKIM-Signature values and key records.
// Whatever parses must hold up: every tag's value sits where value_offset
// says, a signature's value_without_b is the input minus the b= value, and
// base64 that decodes strictly re-encodes to the same bytes and reads the
// same with the lenient reader.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/transfer_encoding.h"
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
  if (auto bytes = mta::cte::base64_decode_strict(text)) {
    if (mta::cte::base64_decode_strict(mta::cte::base64_encode(*bytes)) != bytes) std::abort();
    // A value the strict reader accepts reads the same leniently (RFC 2045).
    std::string bare;
    for (char c : text)
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') bare += c;
    if (mta::cte::base64_decode(bare) != *bytes) std::abort();
  }
  return 0;
}
