// Fuzz target: the queue record parser (todo, info, local, remote files) and
// the rewriting each todo recipient goes through. Checks: every record lies
// inside the input and ends at a NUL; re-joining the records gives the input
// back up to the last NUL; rewriting never throws and keeps the address's
// bytes (a local result ends with the rewritten address).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/send/records.h"
#include "mta/send/rewrite.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  mta::send::Records recs = mta::send::parse_records(bytes);
  std::string joined;
  for (const auto& r : recs.records) {
    if (r.offset != joined.size()) std::abort();
    if (r.type != '\0') joined.push_back(r.type);
    joined.append(r.text);
    if (bytes[joined.size()] != '\0') std::abort();
    joined.push_back('\0');
  }
  if (recs.partial == (joined.size() == bytes.size())) std::abort();
  if (bytes.compare(0, joined.size(), joined) != 0) std::abort();

  static const mta::send::Rewriting rw = [] {
    mta::send::Rewriting r;
    r.envnoathost = "example.test";
    r.locals = mta::send::ConstMap::keys({"example.test"});
    r.percenthack = mta::send::ConstMap::keys({"ph", "c"});
    r.virtualdomains = mta::send::ConstMap::pairs({"v.test:v", ".s.test:s", "x.s.test:", ":all"});
    return r;
  }();
  for (const auto& r : recs.records) {
    if (r.type != 'T') continue;
    mta::send::Target t = mta::send::rewrite(rw, r.text);
    if (t.address.find('@') == std::string::npos) std::abort();
    (void)mta::send::bounce_recipient(rw, t.address);
  }
  return 0;
}
