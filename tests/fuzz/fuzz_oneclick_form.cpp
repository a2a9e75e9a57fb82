// Fuzz target: ezmlm-oneclick's parsers of outside input — the query /
// POST body parser (parse_form) and the marker parser. Invariants: a parsed
// form re-encoded (percent_encode) parses back to the same pairs; a parsed
// marker formats and parses back to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/render/oneclick.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace oc = mta::oneclick;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (auto form = oc::parse_form(bytes)) {
    std::string again;
    for (const auto& [name, value] : *form) {
      if (!again.empty()) again += '&';
      again += oc::percent_encode(name) + "=" + oc::percent_encode(value);
    }
    auto back = oc::parse_form(again);
    if (!back || *back != *form) std::abort();
  }
  if (auto m = oc::parse_marker(bytes)) {
    auto back = oc::parse_marker(oc::format_marker(*m));
    if (!back || back->list != m->list || back->number != m->number || back->when != m->when ||
        back->key != m->key || back->url != m->url)
      std::abort();
  }
  return 0;
}
