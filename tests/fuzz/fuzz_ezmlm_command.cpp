// Fuzz target: ezmlm-manage's DEFAULT parser (ezmlm/lib/manage_command.h).
// Whatever DEFAULT holds, parse_command returns a command; its invariants:
// a cookie is parsed only for confirmation and ed. verbs, a confirmation
// cookie's action letter matches the verb, a target never holds more bytes
// than the input, and parsing the same text twice gives the same result.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/manage_command.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ezmlm::Command c = ezmlm::parse_command(text);
  using ezmlm::Verb;
  const bool confirm = c.verb == Verb::sc || c.verb == Verb::tc || c.verb == Verb::rc || c.verb == Verb::uc ||
                       c.verb == Verb::vc || c.verb == Verb::wc;
  if (c.cookie && !confirm && c.verb != Verb::ed) std::abort();
  if (c.cookie && confirm && ezmlm::verb_name(c.verb)[0] != c.cookie->action) std::abort();
  if (c.cookie && c.cookie->hash.size() != 20) std::abort();
  if (c.target && c.target->size() > size) std::abort();
  if (c.action.size() > size || c.param.size() > size) std::abort();
  ezmlm::Command again = ezmlm::parse_command(text);
  if (again.verb != c.verb || again.db != c.db || again.target != c.target || again.action != c.action)
    std::abort();
  return 0;
}
