// Fuzz target: the DATA stream reader and the QMTP netstring parsers. The
// input is fed whole and in small chunks: both runs must agree on the
// output, the status, the hop count and the consumed length; the stored
// size never exceeds the limit.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/smtp/qmtp.h"
#include "mta/smtp/smtpd_parse.h"

namespace {

struct Run {
  std::string out;
  mta::smtpd::DataReader::Status status;
  std::size_t consumed;
  int hops;
};

Run run(std::string_view in, std::size_t chunk, std::uint64_t limit) {
  mta::smtpd::DataReader r(limit);
  Run res{};
  std::size_t pos = 0;
  while (pos < in.size() && r.status() == mta::smtpd::DataReader::Status::more) {
    std::size_t n = std::min(chunk, in.size() - pos);
    pos += r.feed(in.substr(pos, n), res.out);
  }
  res.status = r.status();
  res.consumed = pos;
  res.hops = r.hops();
  return res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::uint64_t limit = size > 0 ? data[0] * 16u : 0;
  Run whole = run(in, in.size() + 1, limit);
  Run trickle = run(in, 3, limit);
  if (whole.out != trickle.out || whole.status != trickle.status || whole.consumed != trickle.consumed ||
      whole.hops != trickle.hops)
    std::abort();
  if (limit && whole.out.size() > limit) std::abort();

  auto list = mta::qmtp::parse_netstrings(in);
  if (list) {
    std::string again;
    for (const auto& s : *list) again += mta::qmtp::netstring(s);
    // Lengths may carry leading zeros ("00:,"), as qmail's reader allows, so
    // the bytes need not come back; the strings must.
    auto reparsed = mta::qmtp::parse_netstrings(again);
    if (!reparsed || *reparsed != *list) std::abort();
    if (again.size() > in.size()) std::abort();
  }
  std::string out;
  bool cr = false;
  mta::qmtp::crlf_to_lf(in, cr, out);
  if (out.size() > in.size()) std::abort();
  return 0;
}
