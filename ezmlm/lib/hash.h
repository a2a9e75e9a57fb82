// ezmlm/lib/hash.h — djb's string hash and the subscriber bucket letters.
//
// The std subscriber db spreads addresses over 53 files subscribers/@ ..
// subscribers/t (ezmlm.md 1.3). The letter is '@' + hash % 53 over
// "T" + address, with h = 5381; h = (h * 33) ^ c:
//   - ezmlm-idx 7.x on LP64: h is unsigned long (64 bits) and the bytes are
//     sign-extended chars: letter_7x. This is what we write.
//   - ezmlm 0.53 / 32-bit builds: h is uint32 over unsigned bytes:
//     letter_legacy. Lists carried over from such installs have entries in
//     those buckets; lookups and removals try them too.
// Example: "user@example.com" -> 'Y' (7.x) and 'W' (legacy).
// The SQL backends use djb over the lowercased address without "T" % 53
// (sql_hash). The address is passed exactly as it is to be hashed: callers
// lowercase it (whole, or only the domain for the "case-sensitive" letter).
#pragma once

#include <cstdint>
#include <string_view>

namespace ezmlm {

std::uint64_t djb_hash_7x(std::string_view s);      // unsigned long, sign-extended bytes
std::uint32_t djb_hash_legacy(std::string_view s);  // uint32, unsigned bytes

char letter_7x(std::string_view address);      // '@' + djb_7x("T" + address) % 53
char letter_legacy(std::string_view address);  // '@' + djb_legacy("T" + address) % 53
unsigned sql_hash(std::string_view lowercased_address);  // djb_7x(address) % 53

inline constexpr int bucket_count = 53;

}  // namespace ezmlm
