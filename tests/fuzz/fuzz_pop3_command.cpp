// Fuzz target: the POP3 command parser (mta/pop/pop3_command.h) and the
// RETR/TOP encoder. A parsed command has an upper-case verb without spaces
// and an argument without a leading space; NUL never survives; the encoder's
// output always ends in ".\r\n" and has no bare LF.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/pop/pop3_command.h"
#include "mta/pop/pop3d.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  mta::pop::Parsed p = mta::pop::parse_command(bytes);
  if (p.command) {
    const auto& c = *p.command;
    if (c.verb.find(' ') != std::string::npos) std::abort();
    for (char ch : c.verb)
      if (ch >= 'a' && ch <= 'z') std::abort();
    if (!c.arg.empty() && c.arg[0] == ' ') std::abort();
    if (c.verb.find('\0') != std::string::npos || c.arg.find('\0') != std::string::npos) std::abort();
  } else if (p.error.empty()) {
    std::abort();
  }
  if (auto n = mta::pop::parse_number(bytes); n && *n > 999999999UL) std::abort();

  std::optional<unsigned long> limit;
  if (size > 0 && data[0] % 2) limit = data[0] / 2;
  mta::pop::Blaster b(limit);
  std::string out;
  b.feed(bytes, out);
  b.finish(out);
  if (out.size() < 3 || out.compare(out.size() - 3, 3, ".\r\n") != 0) std::abort();
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) std::abort();
  return 0;
}
