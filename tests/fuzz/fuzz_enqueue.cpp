// Fuzz target: qmail-queue's streaming envelope copy (mta/queue/enqueue).
// It must agree with the envelope reader of mta/core: the same input is
// accepted by both (unless an address holds CR or LF, which qmail-queue
// alone refuses), and what it stores is the envelope without its final NUL.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/envelope.h"
#include "mta/queue/enqueue.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string stored;
  bool copied = true;
  try {
    auto in = mta::io::Reader::from_string(bytes, size % 2 == 1);  // odd sizes trickle
    mta::io::Writer out(stored);
    mta::queue::copy_envelope(in, out);
    out.flush();
  } catch (const mta::queue::Error& e) {
    if (e.failure() == mta::queue::Failure::address_has_crlf) return 0;
    copied = false;
  }
  try {
    auto in = mta::io::Reader::from_string(bytes);
    std::string expected = mta::format_envelope(mta::read_envelope(in));
    expected.pop_back();
    if (!copied || stored != expected) std::abort();
  } catch (const mta::EnvelopeError&) {
    if (copied) std::abort();
  }
  return 0;
}
