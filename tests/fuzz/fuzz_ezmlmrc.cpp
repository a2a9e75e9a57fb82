// Fuzz target: the ezmlmrc template interpreter. Any bytes either run to the
// end or are refused with TemplateError; nothing a template says may name a
// path outside the list directory (no "..", no absolute name).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/ezmlmrc.h"

namespace {
void check_name(const std::string& name) {
  if (name.find("..") != std::string::npos) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  ezmlm::rc::Context ctx;
  // The first byte picks the flags, so that conditions are explored too.
  unsigned seed = size ? data[0] : 0;
  for (std::size_t i = 0; i < 26; ++i) ctx.flags[i] = ((seed * 31u + i * 7u) >> 3) & 1;
  ctx.args[5] = std::string("owner@example.org");
  ctx.bin = std::string("/B");
  ctx.dir = std::string("/l");
  ctx.local = std::string("l");
  ctx.host = std::string("h");
  ctx.dot = std::string("/d/.qmail-l");
  try {
    auto [version, body] = ezmlm::rc::split_version(bytes);
    (void)ezmlm::rc::version_matches(version, "ezmlm-idx-7.2.2");
    ezmlm::rc::MemoryTarget target;
    ezmlm::rc::run(body, ctx, target);
    for (const auto& [name, text] : target.files) check_name(name);
    for (const auto& name : target.dirs) check_name(name);
    for (const auto& [ext, name] : target.links) {
      check_name(ext);
      check_name(name);
    }
  } catch (const ezmlm::rc::TemplateError&) {
  }
  return 0;
}
