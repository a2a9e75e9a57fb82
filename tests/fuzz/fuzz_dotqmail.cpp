// Fuzz target: the .qmail parser and the qmesearch name builder. A parsed
// instruction never spans lines or keeps trailing blanks; a search name never
// contains ".." or "/." (safeext's promise: no way out of the home directory).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mta/core/dotqmail.h"
#include "mta/core/exitcodes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  namespace dq = mta::dotqmail;
  try {
    dq::Parsed parsed = dq::parse(bytes, ".qmail");
    for (const dq::Instruction& ins : parsed.instructions) {
      if (ins.text.find('\n') != std::string::npos) std::abort();
      if (!ins.text.empty() && (ins.text.back() == ' ' || ins.text.back() == '\t')) std::abort();
      if (ins.kind == dq::Kind::maildir && ins.text.back() != '/') std::abort();
    }
  } catch (const mta::TempError&) {
  }
  const std::string_view ext = std::string_view(bytes).substr(0, 200);
  for (const dq::Candidate& c : dq::search_order("-", ext)) {
    std::string_view tail = std::string_view(c.name).substr(1);  // past the leading '.'
    if (tail.find("..") != std::string_view::npos || tail.find("/.") != std::string_view::npos) std::abort();
    if (c.default_part && c.default_part->size() > ext.size()) std::abort();
  }
  (void)dq::ext_part(bytes, 4);
  (void)dq::host_part(bytes, 4);
  return 0;
}
