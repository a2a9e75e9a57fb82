// Unit tests: mta/core/address — RFC 822 address lists, qmail's quoting.
#include <catch2/catch.hpp>
#include <string>

#include "mta/core/address.h"

using namespace std::string_literals;
namespace addr = mta::address;

namespace {
// The internal-form addresses of a list, joined by '|'.
std::string addresses(const std::string& text) {
  std::string out;
  for (const auto& item : addr::parse_address_list(text))
    for (const auto& m : item.members) out += (out.empty() ? "" : "|") + m.address;
  return out;
}
}  // namespace

TEST_CASE("an address list that cannot be parsed is refused") {
  const std::string rows[] = {
      "\"unbalanced",
      "(unbalanced comment",
      "((nested) still open",
      "[1.2.3.4",
      "Joe <joe@example.com",
      "joe@example.com>",
      "a <b <c>>",
      "<a> trailing text",
      "stray ) paren",
      "stray ] bracket",
      "back\\slash",
      "a;",
      "g: h: i;;",
      "<@route.without.colon joe@x>",
      "joe\0@example.com"s,
      std::string(addr::max_field_bytes + 1, 'a'),
  };
  for (const auto& row : rows) {
    INFO("input: " << row.substr(0, 60));
    CHECK_THROWS_AS(addr::parse_address_list(row), addr::AddressError);
  }
}

TEST_CASE("address lists give their addresses in internal form") {
  struct Row { std::string input, expected; };
  const Row rows[] = {
      {"", ""},
      {"  ,, ", ""},
      {"(only a comment)", ""},
      {"joe", "joe"},
      {"joe@example.com", "joe@example.com"},
      {"Joe Smith <joe@example.com>", "joe@example.com"},
      {"\"Smith, Joe\" <joe@example.com>, fred", "joe@example.com|fred"},
      {"joe@example.com (Joe Smith)", "joe@example.com"},
      {"djb fred", "djb|fred"},
      {"\"joe smith\"@example.com", "joe smith@example.com"},
      {"\"a\\\"b\"@x", "a\"b@x"},
      {"joe . smith @ example . com", "joe.smith@example.com"},
      {"joe@[1.2.3.4]", "joe@[1.2.3.4]"},
      {"<>", ""},
      {"<@a,@b:joe@x>", "joe@x"},
      {"friends: a@x, b@y; c@z", "a@x|b@y|c@z"},
      {"recipient list not shown: ;", ""},
      {"a@b@c", "a@b@c"},
      {"joe@", "joe@"},
      {"J\xc3\xb6rg <j\xc3\xb6rg@example.com>", "j\xc3\xb6rg@example.com"},
      {"To\r\n\tfolded <x@y>", "x@y"},
  };
  for (const auto& row : rows) {
    INFO("input: " << row.input);
    CHECK(addresses(row.input) == row.expected);
  }
}

TEST_CASE("mailboxes keep their phrase, route and comments") {
  auto items = addr::parse_address_list("\"Joe Q\" (x) <@r1,@r2:joe@x> (c1) (c2)");
  REQUIRE(items.size() == 1);
  REQUIRE(items[0].members.size() == 1);
  const auto& m = items[0].members[0];
  CHECK(m.phrase == "\"Joe Q\" (x)");
  CHECK(m.route == "@r1,@r2");
  CHECK(m.address == "joe@x");
  CHECK(m.angle);
  CHECK(m.comment == "(c1) (c2)");
  CHECK(addr::format_mailbox(m) == "\"Joe Q\" (x) <@r1,@r2:joe@x> (c1) (c2)");
}

TEST_CASE("formatting then parsing gives the same list") {
  const std::string rows[] = {
      "joe@x, \"Joe Q\" <joe@y>, g: a@b, c@d;, e (comment)",
      "\"a b\"@x, <>, \"\"@x",
      "x@[1.2.3.4] (a \\(paren\\))",
      "<@\"a  b\"x,@[1.2.3.4] (c):joe@y>",  // a source route keeps its quoting (found by fuzz_address)
  };
  for (const auto& row : rows) {
    INFO("input: " << row);
    auto items = addr::parse_address_list(row);
    auto again = addr::parse_address_list(addr::format_address_list(items));
    CHECK(again == items);
  }
}

TEST_CASE("long address lists are folded before column 78") {
  std::string in;
  for (int k = 0; k < 10; ++k) in += "someone" + std::to_string(k) + "@example.com, ";
  std::string out = addr::format_address_list(addr::parse_address_list(in), 4);
  std::size_t col = 4, widest = 0;
  for (char c : out) {
    if (c == '\n') col = 0;
    else widest = std::max(widest, ++col);
  }
  CHECK(widest <= 78);
  CHECK(out.find(",\n  someone") != std::string::npos);
  CHECK(addresses(out) == addresses(in));
}

TEST_CASE("quote leaves atoms bare and quotes everything else (reference 0.6)") {
  struct Row { std::string input, expected; };
  const Row rows[] = {
      {"", ""},
      {"@x", "\"\"@x"},
      {"joe@x", "joe@x"},
      {"joe", "joe"},
      {"j.o.e@x", "j.o.e@x"},
      {".joe@x", "\".joe\"@x"},
      {"joe.@x", "\"joe.\"@x"},
      {"jo..e@x", "\"jo..e\"@x"},
      {"joe smith@x", "\"joe smith\"@x"},
      {"a\"b\\c@x", "\"a\\\"b\\\\c\"@x"},
      {"a@b@x", "\"a@b\"@x"},
      {"l\xc3\xa4@x", "\"l\xc3\xa4\"@x"},
      {"!#$%&'*+-/=?^_`{|}~@x", "!#$%&'*+-/=?^_`{|}~@x"},
      {"a\nb@x", "\"a\\\nb\"@x"},
  };
  for (const auto& row : rows) {
    INFO("input: " << row.input);
    CHECK(addr::quote(row.input) == row.expected);
  }
}

TEST_CASE("addresses split at the last @") {
  auto s = addr::split_at_last("a@b@c");
  CHECK(s.local == "a@b");
  CHECK(s.domain == "c");
  CHECK(s.has_at);
  auto t = addr::split_at_last("local");
  CHECK(t.local == "local");
  CHECK_FALSE(t.has_at);
}

TEST_CASE("envelope addresses must not hold NUL, CR, LF or be over-long") {
  CHECK_FALSE(addr::check_envelope_address("joe@example.com"));
  CHECK_FALSE(addr::check_envelope_address(""));
  CHECK(addr::check_envelope_address("joe\r@x"));
  CHECK(addr::check_envelope_address("joe\n@x"));
  CHECK(addr::check_envelope_address("joe\0@x"s));
  CHECK(addr::check_envelope_address(std::string(addr::max_envelope_address + 1, 'a')));
  CHECK_FALSE(addr::check_envelope_address(std::string(addr::max_envelope_address, 'a')));
}

TEST_CASE("iequals compares ASCII without case") {
  CHECK(addr::iequals("Resent-To", "rESENT-tO"));
  CHECK_FALSE(addr::iequals("To", "Tox"));
  CHECK_FALSE(addr::iequals("\xc4", "\xe4"));
}
