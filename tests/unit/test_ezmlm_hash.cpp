// Subscriber bucket letters: ezmlm-idx 7.x on LP64 and the legacy 32-bit hash.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ezmlm/lib/hash.h"

using namespace ezmlm;

TEST_CASE("bucket letters follow 7.x LP64 and legacy 32-bit djb", "[ezmlm][hash]") {
  // The reference example (ezmlm.md 1.3, verified against 7.2.2).
  CHECK(letter_7x("user@example.com") == 'Y');
  CHECK(letter_legacy("user@example.com") == 'W');
  // "T" + "ab" stays below 2^32, so both hashes agree: 177649*33 ^ 'a' ...
  CHECK(letter_7x("ab") == letter_legacy("ab"));
  CHECK(letter_7x("ab") == char('@' + ((177649u * 33 ^ 'a') * 33 ^ 'b') % 53));
  // djb over "T" by hand: 5381*33 ^ 'T' = 177573 ^ 84 = 177649.
  CHECK(djb_hash_7x("T") == 177649u);
  CHECK(djb_hash_legacy("T") == 177649u);
}

TEST_CASE("7.x sign-extends 8-bit bytes, legacy does not", "[ezmlm][hash]") {
  // 5381*33 = 177573; ^ 0xE9 sign-extended flips all high bits.
  CHECK(djb_hash_legacy("\xE9") == (177573u ^ 0xE9u));
  CHECK(djb_hash_7x("\xE9") == (177573ull ^ 0xFFFFFFFFFFFFFFE9ull));
}

TEST_CASE("letters stay within @..t", "[ezmlm][hash]") {
  for (const std::string& a : std::vector<std::string>{"", "x", "someone@somewhere.example", std::string(400, 'z')}) {
    INFO(a);
    char l = letter_7x(a), g = letter_legacy(a);
    CHECK(l >= '@');
    CHECK(l <= 't');
    CHECK(g >= '@');
    CHECK(g <= 't');
  }
  CHECK(sql_hash("user@example.com") < 53u);
}
