// Fuzz target: the qmail-queue envelope reader. Whenever parsing succeeds,
// formatting the result and reading it back must give the same envelope.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto in = mta::io::Reader::from_string(bytes);
    mta::Envelope env = mta::read_envelope(in);
    auto again = mta::io::Reader::from_string(mta::format_envelope(env));
    if (!(mta::read_envelope(again) == env)) std::abort();
  } catch (const mta::EnvelopeError&) {
  }
  return 0;
}
