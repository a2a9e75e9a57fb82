#include "mta/core/log.h"

namespace mta::log {

std::string safe(std::string_view text) {
  // qmail-send's logsafe, byte for byte: a newline becomes '/', and space,
  // '%' and everything outside 33..126 become '_'. Log readers depend on it:
  // qmail-local's "did 0+0+1\n" is logged as "did_0+0+1/", and an address
  // with a space must not split a log field in two.
  std::string out(text);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n')
      c = '/';
    else if (u < 33 || u > 126 || c == '%')
      c = '_';
  }
  return out;
}

std::string printable(std::string_view text, char replacement) {
  std::string out(text);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u > 126) c = replacement;
  }
  return out;
}

void line(io::Writer& w, std::string_view text) {
  w.write(text);
  w.put('\n');
  w.flush();
}

}  // namespace mta::log
