// Fuzz target: the header block reader (qmail-inject's rules). The fields,
// the inserted body start and the rest of the stream must add up to the
// input again (MBOX-Line and a final newline aside), whole or trickled.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/message.h"

namespace {
std::string reassemble(const std::string& input, bool trickle) {
  auto in = mta::io::Reader::from_string(input, trickle);
  auto h = mta::message::read_header(in);
  for (const auto& f : h.fields)
    if (f.raw.empty() || f.raw.back() != '\n') std::abort();
  std::string out = h.text();
  if (input.starts_with("From ")) out.erase(0, 11);  // "MBOX-Line: "
  if (h.ended_by_blank) out += "\n";
  out += h.body_start + in.read_all();
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::string whole = reassemble(input, false);
  if (whole != reassemble(input, true)) std::abort();
  // Only a missing final newline of the last header line may differ.
  if (whole != input && whole != input + "\n") std::abort();
  return 0;
}
