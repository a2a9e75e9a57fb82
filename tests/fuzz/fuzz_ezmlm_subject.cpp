// Fuzz target: the archive index's subject and author handling — RFC 2047
// decoding, reply-indicator and prefix stripping, the author of a From
// value and the index entry they make. Checked: every result is one line
// (no CR, LF or NUL), decoding never grows a value (encoded words only
// shrink), normalising its own output never grows it, and an index entry
// is exactly two lines that parse_index reads back with the same hashes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/post_subject.h"
#include "ezmlm/lib/post_threads.h"

namespace {

bool one_line(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ezmlm::post;
  std::string in(reinterpret_cast<const char*>(data), size);
  // "prefix\x01value": a list prefix may come with the input.
  std::string prefix;
  if (auto cut = in.find('\x01'); cut != std::string::npos && cut < 40) {
    prefix = in.substr(0, cut);
    in.erase(0, cut + 1);
  }
  std::string decoded = decode_2047(in);
  if (!one_line(decoded) || decoded.size() > in.size()) std::abort();

  Subject s = normalise_subject(in, prefix);
  if (!one_line(s.stripped)) std::abort();
  // Not idempotent by design: like ezmlm, one trailing "-Reply" goes per
  // pass. But stripping never adds.
  Subject again = normalise_subject(s.stripped, prefix);
  if (again.stripped.size() > s.stripped.size() && s.stripped.find("=?") == std::string::npos) std::abort();
  (void)has_prefix(decoded, prefix);

  Author a = author_of(in);
  if (!one_line(a.name) || !one_line(a.hash_key)) std::abort();

  const std::string subjhash = ezmlm::makehash(s.stripped), authhash = ezmlm::makehash(a.hash_key);
  std::string entry = index_entry(7, subjhash, s.index(), "24 Nov 2026 12:00:00 -0000", authhash, a.name);
  unsigned bad = 0;
  auto records = parse_index(entry, bad);
  if (bad != 0 || records.size() != 1) std::abort();
  if (records[0].subjhash != subjhash || records[0].authhash != authhash) std::abort();
  (void)yyyymm_of(in);
  return 0;
}
