// mta/core/transfer_encoding.h — base64 and quoted-printable decoding and
// base64 encoding (RFC 4648, RFC 2045 6.7/6.8): the one copy that the
// autoresponder, the list programs and DKIM share.
//
// Two base64 readers, because the callers want different things:
//   base64_decode        reads mail bodies as RFC 2045 6.8 says a reader
//                        should: characters outside the alphabet (line
//                        breaks, junk) are skipped, the first '=' ends it.
//                        Never fails; garbage in gives fewer bytes out.
//   base64_decode_strict for values that must be exact (DKIM b=, bh=, p=):
//                        only the alphabet, folding white space and correct
//                        '=' padding with zero leftover bits; nullopt else.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace mta::cte {

// 0..63 for a base64 letter, -1 otherwise.
int base64_value(char c);
// 0..15 for a hex digit of either case, -1 otherwise.
int hex_value(char c);

// Padded base64 without line breaks.
std::string base64_encode(std::string_view data);
std::string base64_decode(std::string_view text);
std::optional<std::string> base64_decode_strict(std::string_view text);

// RFC 2045 6.7 decoding: soft line breaks (with trailing white space)
// removed, =XX decoded; a malformed escape is kept literally.
std::string qp_decode(std::string_view text);

}  // namespace mta::cte
