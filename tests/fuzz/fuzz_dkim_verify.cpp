// Fuzz target: the DKIM verifier on a whole message, keys served from
// memory (a fixed Ed25519 key, and whatever the selector "raw" names: the
// bytes after the first NUL of the input). Also the body hasher: hashing the
// body in one piece and byte by byte must give the same digest.
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>

#include "mta/core/message.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::string record;
  std::size_t nul = input.find('\0');
  if (nul != std::string::npos) {
    record = input.substr(nul + 1);
    input.resize(nul);
  }
  using namespace mta::dkim;
  for (Canon c : {Canon::simple, Canon::relaxed}) {
    BodyHasher whole(c), bytewise(c);
    whole.feed(input);
    for (char ch : input) bytewise.feed(std::string_view(&ch, 1));
    if (whole.finish() != bytewise.finish()) std::abort();
  }
  KeyLookup lookup = [&](const std::string& name) -> std::vector<std::string> {
    if (name.starts_with("raw.")) return {record};
    if (name.starts_with("brisbane.")) return {"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
    throw LookupError("no such name", name.size() % 2 == 0);
  };
  try {
    auto in = mta::io::Reader::from_string(input);
    for (const auto& r : verify(in, lookup, 1528637909)) format_result(r);
  } catch (const mta::message::HeaderTooLong&) {
  }
  return 0;
}
