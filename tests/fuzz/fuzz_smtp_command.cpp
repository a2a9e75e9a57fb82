// Fuzz target: qmail-smtpd's command line parsers. Every line must parse
// without crashing; a parsed path is never 900 bytes or more and never
// holds a NUL; rcpthosts and badmailfrom matching take any address.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/smtp/smtpd_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  using namespace mta::smtpd;
  Command c = parse_command(line);
  if (c.arg.size() > line.size()) std::abort();
  if (auto p = parse_path(c.arg)) {
    if (p->address.size() >= max_path) std::abort();
    if (p->address.find('\0') != std::string::npos) std::abort();
    static const RcptHosts hosts(std::vector<std::string>{"example.test", ".example.org"},
                                 [](std::string_view k) { return k == "more.example"; });
    hosts.allows(p->address);
    badmailfrom({"a@b", "@c"}, p->address);
    replace_ip_literal(p->address, "example.test", [](std::string_view ip) { return ip == "127.0.0.1"; });
  }
  return 0;
}
