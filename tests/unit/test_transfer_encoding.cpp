// Unit tests: mta/core/transfer_encoding — base64 (lenient and strict) and
// quoted-printable decoding. Malformed input first.
#include <catch2/catch.hpp>

#include <string>

#include "mta/core/transfer_encoding.h"

using namespace mta::cte;

TEST_CASE("base64 strict: malformed values are refused", "[cte]") {
  for (const char* bad : {"abc", "ab=c", "a===", "Zm9v!", "Zm9=", "Zh==", "=Zm9", "Zm9v====", "Zg=\x80="}) {
    INFO(bad);
    CHECK_FALSE(base64_decode_strict(bad).has_value());
  }
}

TEST_CASE("base64 strict: exact values, folding white space allowed", "[cte]") {
  CHECK(base64_decode_strict("Zm9v") == std::optional<std::string>("foo"));
  CHECK(base64_decode_strict("Zm8=") == std::optional<std::string>("fo"));
  CHECK(base64_decode_strict("Zg==") == std::optional<std::string>("f"));
  CHECK(base64_decode_strict("Zm\r\n 9v") == std::optional<std::string>("foo"));
  CHECK(base64_decode_strict("") == std::optional<std::string>(""));
}

TEST_CASE("base64 lenient: junk skipped, the first '=' ends it", "[cte]") {
  CHECK(base64_decode("YW\nJj") == "abc");
  CHECK(base64_decode("Y!W*J\x01j") == "abc");
  CHECK(base64_decode("YQ==YWJj") == "a");
  CHECK(base64_decode("Y") == "");  // six bits make no byte
  CHECK(base64_decode("") == "");
}

TEST_CASE("base64: encode and both readers round-trip", "[cte]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("a") == "YQ==");
  CHECK(base64_encode("ab") == "YWI=");
  CHECK(base64_encode("abc") == "YWJj");
  for (std::string s : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                        std::string("foob"), std::string("\0\xff\x10", 3)}) {
    INFO(s.size());
    CHECK(base64_decode_strict(base64_encode(s)) == std::optional<std::string>(s));
    CHECK(base64_decode(base64_encode(s)) == s);
  }
}

TEST_CASE("quoted-printable decoding", "[cte]") {
  // Malformed escapes stay literal; a lone '=' at the end is dropped.
  CHECK(qp_decode("a=ZZb") == "a=ZZb");
  CHECK(qp_decode("a=4") == "a=4");
  CHECK(qp_decode("a=") == "a");
  CHECK(qp_decode("a=3Db=\nc=ZZ") == "a=bc=ZZ");
  CHECK(qp_decode("soft= \t\r\nbreak") == "softbreak");
  CHECK(qp_decode("caf=C3=A9") == "caf\xC3\xA9");
  CHECK(qp_decode("lower=c3=a9") == "lower\xC3\xA9");
}

TEST_CASE("digit values", "[cte]") {
  CHECK(hex_value('0') == 0);
  CHECK(hex_value('f') == 15);
  CHECK(hex_value('F') == 15);
  CHECK(hex_value('g') == -1);
  CHECK(base64_value('A') == 0);
  CHECK(base64_value('/') == 63);
  CHECK(base64_value('=') == -1);
}
