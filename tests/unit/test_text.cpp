// Unit tests for mta/core/text.h.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mta/core/text.h"

using namespace mta::text;

TEST_CASE("trim removes the given set at either end and nothing inside") {
  CHECK(trim("") == "");
  CHECK(trim(" \t\r\n") == "");
  CHECK(trim(" a b \r\n") == "a b");
  CHECK(trim("\r a\t", blanks) == "\r a");
  CHECK(trim_left(" \ta \n", blanks) == "a \n");
  CHECK(trim_right(" a \r\n", " \t\r") == " a \r\n");
  CHECK(trim_right(" a \r", " \t\r") == " a");
}

TEST_CASE("for_each_line numbers lines and keeps a last line without newline") {
  std::vector<std::pair<std::size_t, std::string>> seen;
  auto collect = [&](std::size_t n, std::string_view l) { seen.emplace_back(n, std::string(l)); };
  for_each_line("", collect);
  CHECK(seen.empty());
  for_each_line("a\n\nb", collect);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == std::make_pair(std::size_t{1}, std::string("a")));
  CHECK(seen[1] == std::make_pair(std::size_t{2}, std::string("")));
  CHECK(seen[2] == std::make_pair(std::size_t{3}, std::string("b")));
  seen.clear();
  for_each_line("x\n", collect);
  CHECK(seen.size() == 1);
}

TEST_CASE("one_line: white space and control characters become single spaces", "[text]") {
  CHECK(mta::text::one_line("") == "");
  CHECK(mta::text::one_line(" \t\r\n") == "");
  CHECK(mta::text::one_line("  a\r\n\tb  ") == "a b");
  CHECK(mta::text::one_line(std::string("x\0y\x7fz", 5)) == "x y z");
  CHECK(mta::text::one_line("caf\xC3\xA9 ok") == "caf\xC3\xA9 ok");  // 8-bit bytes stay
}
