// Fuzz target: tcpserver rules data and client addresses (mta/smtp/tcprules),
// as qmail-smtpd's server mode reads them from a tcprules database. The
// first half of the input is a rule's data, the rest a client address.
// Checks: every variable parsed has a non-empty name without '=' or NUL;
// keys start with the address itself, end with "", and every other key is
// a prefix of the address ending in '.' or ':'.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mta/smtp/tcprules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string_view rule = bytes.substr(0, size / 2), ip = bytes.substr(size / 2);
  const auto verdict = mta::tcprules::parse(rule);
  for (const auto& [name, value] : verdict.env) {
    if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string::npos) std::abort();
    if (value.find('\0') != std::string::npos) std::abort();
  }
  const auto keys = mta::tcprules::keys_for(ip);
  if (keys.size() < 2 || keys.front() != ip || !keys.back().empty()) std::abort();
  for (std::size_t i = 1; i + 1 < keys.size(); ++i) {
    const std::string& k = keys[i];
    if (k.empty() || k.size() >= ip.size() || ip.substr(0, k.size()) != k) std::abort();
    if (k.back() != '.' && k.back() != ':') std::abort();
  }
  // The lookup takes the first key that has data.
  const auto found = mta::tcprules::lookup(
      [&](std::string_view key) -> std::optional<std::string> {
        if (key == keys[keys.size() / 2]) return std::string(rule);
        return std::nullopt;
      },
      ip);
  if (found.deny != verdict.deny || found.env != verdict.env) std::abort();
  return 0;
}
