// Unit tests: mta/core/message — the header block, qmail-inject's rules.
#include <catch2/catch.hpp>
#include <string>

#include "mta/core/message.h"

using namespace std::string_literals;
namespace msg = mta::message;

namespace {
struct Parsed {
  msg::Header header;
  std::string body;  // body_start + what the reader still held
};
Parsed parse(const std::string& input, bool trickle, msg::HeaderLimits limits = {}) {
  auto r = mta::io::Reader::from_string(input, trickle);
  Parsed p{msg::read_header(r, limits), {}};
  p.body = p.header.body_start + r.read_all();
  return p;
}
}  // namespace

TEST_CASE("the header ends at an empty line, EOF, or the first line that is not a field") {
  struct Row { std::string input, header, body; bool inserted; };
  const Row rows[] = {
      // malformed first: where the header stops early
      {"not a header\nTo: x\n", "", "not a header\nTo: x\n", true},
      {" continuation first\n\nbody", "", " continuation first\n\nbody", true},
      {":empty name\n", "", ":empty name\n", true},
      {"To x\n", "", "To x\n", true},
      {"Bad name: x\n", "", "Bad name: x\n", true},
      {"To: a\n\r\nbody\n", "To: a\n", "\r\nbody\n", true},
      {"To: a\nX\0Y: b\n"s, "To: a\n", "X\0Y: b\n"s, true},
      {"To: a\n\xc3\xa4: b\n", "To: a\n", "\xc3\xa4: b\n", true},
      {"To: a\nnot header", "To: a\n", "not header", true},
      // ordinary messages
      {"", "", "", false},
      {"\nbody\n", "", "body\n", false},
      {"To: a\n", "To: a\n", "", false},
      {"To: a", "To: a\n", "", false},
      {"To: a\nSubject: b\n\nbody\n\nmore\n", "To: a\nSubject: b\n", "body\n\nmore\n", false},
      {"To: a,\n b\n\tc\n\nx", "To: a,\n b\n\tc\n", "x", false},
      {"To : a\nX-Weird\t: b\n\n", "To : a\nX-Weird\t: b\n", "", false},
      {"From joe Mon Sep 5\nTo: a\n\n", "MBOX-Line: From joe Mon Sep 5\nTo: a\n", "", false},
      {"To: a\nFrom joe\n\n", "To: a\n", "From joe\n\n", true},
  };
  for (bool trickle : {false, true}) {
    for (const auto& row : rows) {
      INFO("input: " << row.input << " trickle: " << trickle);
      Parsed p = parse(row.input, trickle);
      CHECK(p.header.text() == row.header);
      CHECK(p.body == row.body);
      CHECK(p.header.blank_inserted == row.inserted);
    }
  }
}

TEST_CASE("a header over the limit is refused") {
  msg::HeaderLimits small{100};
  CHECK_THROWS_AS(parse("Subject: " + std::string(200, 'x') + "\n\n", false, small), msg::HeaderTooLong);
  std::string many;
  for (int k = 0; k < 20; ++k) many += "X-A: 123456\n";
  CHECK_THROWS_AS(parse(many + "\n", true, small), msg::HeaderTooLong);
  CHECK_NOTHROW(parse("X-A: 1\n\n" + std::string(1000, 'b'), false, small));
}

TEST_CASE("fields are found without regard to case, in order, duplicates kept") {
  Parsed p = parse("Received: one\nTO: a\nreceived: two\nSubject: s\n\n", false);
  auto& h = p.header;
  REQUIRE(h.find("to"));
  CHECK(h.find("to")->name == "TO");
  CHECK(h.find("To")->value() == " a");
  CHECK_FALSE(h.has("Cc"));
  auto all = h.find_all("RECEIVED");
  REQUIRE(all.size() == 2);
  CHECK(all[0]->value() == " one");
  CHECK(all[1]->value() == " two");
  CHECK(h.remove("Received") == 2);
  CHECK(h.text() == "TO: a\nSubject: s\n");
  h.add("Cc", "b");
  h.insert(0, "Date", "now");
  CHECK(h.text() == "Date: now\nTO: a\nSubject: s\nCc: b\n");
}

TEST_CASE("folded values are unfolded") {
  Parsed p = parse("Subject: one\n two\r\n\tthree\n\n", false);
  CHECK(msg::unfold(p.header.find("subject")->value()) == " one two\tthree");
}

TEST_CASE("a field line needs a printable name and a colon") {
  std::string_view name;
  CHECK(msg::is_field_line("X-Foo : bar", &name));
  CHECK(name == "X-Foo");
  CHECK(msg::is_field_line("A:", &name));
  CHECK_FALSE(msg::is_field_line(": x"));
  CHECK_FALSE(msg::is_field_line("A B: x"));
  CHECK_FALSE(msg::is_field_line(""));
  CHECK_FALSE(msg::is_field_line("NoColon"));
}
