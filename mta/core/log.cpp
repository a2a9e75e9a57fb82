#include "mta/core/log.h"

namespace mta::log {

std::string safe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u > 126) c = '_';
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
