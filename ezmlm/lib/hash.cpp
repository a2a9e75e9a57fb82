#include "ezmlm/lib/hash.h"

namespace ezmlm {

std::uint64_t djb_hash_7x(std::string_view s) {
  std::uint64_t h = 5381;
  for (char c : s) {
    // ezmlm-idx 7.x: (unsigned long) of a plain char, which sign-extends.
    std::uint64_t b = static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<signed char>(c)));
    h = (h * 33) ^ b;
  }
  return h;
}

std::uint32_t djb_hash_legacy(std::string_view s) {
  std::uint32_t h = 5381;
  for (char c : s) h = (h * 33) ^ static_cast<unsigned char>(c);
  return h;
}

namespace {
template <typename H>
char letter(std::string_view address, H hash) {
  // Hashing "T" + address without building the string: feed 'T' first.
  auto h = hash(std::string_view("T", 1));
  using U = decltype(h);
  for (char c : address) {
    U b;
    if constexpr (sizeof(U) == 8)
      b = static_cast<U>(static_cast<std::int64_t>(static_cast<signed char>(c)));
    else
      b = static_cast<unsigned char>(c);
    h = static_cast<U>(h * 33) ^ b;
  }
  return static_cast<char>('@' + h % bucket_count);
}
}  // namespace

char letter_7x(std::string_view address) { return letter(address, djb_hash_7x); }
char letter_legacy(std::string_view address) { return letter(address, djb_hash_legacy); }
unsigned sql_hash(std::string_view lowercased_address) {
  return static_cast<unsigned>(djb_hash_7x(lowercased_address) % bucket_count);
}

}  // namespace ezmlm
