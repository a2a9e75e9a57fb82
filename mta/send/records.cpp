// mta/send/records.cpp — NUL-terminated queue records (see records.h).
#include "mta/send/records.h"

namespace mta::send {

Records parse_records(std::string_view data) {
  Records out;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t nul = data.find('\0', pos);
    if (nul == std::string_view::npos) {
      out.partial = true;
      break;
    }
    Record r;
    r.offset = pos;
    if (nul > pos) {
      r.type = data[pos];
      r.text = data.substr(pos + 1, nul - pos - 1);
    }
    out.records.push_back(r);
    pos = nul + 1;
  }
  return out;
}

}  // namespace mta::send
