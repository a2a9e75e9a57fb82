// Fuzz target: ezmlm-return's bounce readers (RFC 3464 DSN, qmail QSBMF),
// the verdict, and the DEFAULT parser. Whatever the input: no crash, at most
// max_recipients, every address kept is usable as it stands, every status
// is a well-formed code, and parsing is deterministic.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ezmlm/lib/bounce.h"
#include "ezmlm/lib/dsn.h"

namespace {

void check(const ezmlm::dsn::Report& r) {
  using namespace ezmlm::dsn;
  if (r.recipients.size() > max_recipients) std::abort();
  for (const auto& x : r.recipients) {
    if (x.address.empty() || usable_address(x.address) != x.address) std::abort();
    if (!x.status.empty() && find_status(x.status) != x.status) std::abort();
    (void)classify(x);
    if (recipient_for(r, x.address) == nullptr) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = ezmlm::dsn::parse(bytes);
  check(r);
  if (ezmlm::dsn::parse(bytes).recipients.size() != r.recipients.size()) std::abort();
  check(ezmlm::dsn::parse_qsbmf(bytes));
  auto ra = ezmlm::bounce::parse_return(bytes.substr(0, 512));
  if (ra.kind == ezmlm::bounce::Kind::verp && ra.box.find('@') == std::string::npos) std::abort();
  return 0;
}
