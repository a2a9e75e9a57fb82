// Fuzz target: the parsers of hand-written list files — getconf lines,
// flags strings and config F: lines, text/messages entries, tag expansion
// (text and header mode) and copy()'s sections.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/getconf.h"
#include "ezmlm/lib/texts.h"
#include "mta/core/exitcodes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  for (const auto& line : ezmlm::getconf_lines(in)) {
    if (line.empty() || line[0] == '#' || line.find('\n') != std::string::npos) std::abort();
    if (line.back() == ' ' || line.back() == '\t') std::abort();
  }
  auto first = ezmlm::getconf_first(in);
  auto all = ezmlm::getconf_lines(in);
  if (first.has_value() != !all.empty() || (first && *first != all.front())) std::abort();
  ezmlm::flags_from_line(in);
  if (auto f = ezmlm::config_flags(in)) ezmlm::flags_from_line(*f);
  for (const auto& [k, v] : ezmlm::parse_messages(in))
    if (k.empty() || k.find(':') != std::string::npos) std::abort();

  ezmlm::TagValues tags;
  tags.set('l', "list").set('h', "example.test").set('A', "a@b").set('n', "1");
  // Text without tags comes back unchanged.
  std::string text = ezmlm::expand(in, tags);
  if (in.find("<#") == std::string::npos && text != in) std::abort();
  try {
    std::string header = ezmlm::expand(in, tags, ezmlm::ExpandMode::header);
    if (header.find("\n\n") != std::string::npos) std::abort();
  } catch (const mta::TempError&) {
  }
  ezmlm::render_text(in, tags, [](char c) { return c == 'a' || c == '1'; });
  ezmlm::format_message(in, {"x", "y"});
  return 0;
}
