// Unit tests: mta/smtp/remote_parts — qmail-remote's reply parser, body
// encoding (mta.md 9.7), smtproutes and tlsdestinations, MX order, self check.
#include <catch2/catch.hpp>

#include <sys/socket.h>

#include <random>
#include <set>
#include <string>

#include "mta/core/io.h"
#include "mta/smtp/remote_parts.h"

using namespace std::string_literals;
using namespace mta::remote;

namespace {

// Feeds a whole server reply, line by line through a Reader (optionally one
// byte per read), the way qmail-remote reads it off the connection.
std::vector<Reply> parse_all(const std::string& bytes, bool trickle) {
  auto reader = mta::io::Reader::from_string(bytes, trickle);
  ReplyParser parser;
  std::vector<Reply> out;
  std::string line;
  while (reader.getline(line, '\n', max_reply_line) == mta::io::Reader::Got::line)
    if (auto r = parser.line(line)) out.push_back(*r);
  return out;
}

mta::dns::IpAddress ip(const char* text) { return *mta::dns::IpAddress::parse(text); }

}  // namespace

TEST_CASE("a malformed server reply line is refused") {
  const std::string rows[] = {"", "2", "25", "25x ok", "x50 ok", "250xok", "2500 ok", " 250 ok", "abc"};
  for (const auto& row : rows) {
    INFO("line: " << row);
    ReplyParser p;
    CHECK_THROWS_AS(p.line(row), ReplyError);
  }
}

TEST_CASE("a reply of too many lines is refused") {
  ReplyParser p;
  for (std::size_t i = 0; i < max_reply_lines; ++i) REQUIRE_FALSE(p.line("250-more"));
  CHECK_THROWS_AS(p.line("250 last"), ReplyError);
}

TEST_CASE("server replies: one line, multiline, bare code, CR and NUL") {
  struct Row { std::string input; int code; std::string text; std::size_t lines; };
  const Row rows[] = {
      {"220 mx.test ESMTP\r\n", 220, "220 mx.test ESMTP\n", 1},
      {"250\r\n", 250, "250\n", 1},
      {"250-first\r\n250-second\r\n250 last\r\n", 250, "250-first\n250-second\n250 last\n", 3},
      {"550-5.1.1 no\n550 5.1.1 such user\n", 550, "550-5.1.1 no\n550 5.1.1 such user\n", 2},
      {"451 a\0b\r\n"s, 451, "451 a?b\n", 1},
      {"250-x\r\n251 mixed codes keep the first\r\n", 250, "250-x\n251 mixed codes keep the first\n", 2},
  };
  for (bool trickle : {false, true}) {
    for (const auto& row : rows) {
      INFO("input: " << row.input << " trickle " << trickle);
      auto replies = parse_all(row.input, trickle);
      REQUIRE(replies.size() == 1);
      CHECK(replies[0].code == row.code);
      CHECK(replies[0].text == row.text);
      CHECK(replies[0].lines.size() == row.lines);
    }
  }
}

TEST_CASE("pipelined replies come apart one by one") {
  auto replies = parse_all("250 ok\r\n250-a\r\n250 b\r\n550 no\r\n354 go\r\n", true);
  REQUIRE(replies.size() == 4);
  CHECK(replies[0].code == 250);
  CHECK(replies[1].text == "250-a\n250 b\n");
  CHECK(replies[2].code == 550);
  CHECK(replies[3].code == 354);
}

TEST_CASE("the kept reply text is capped at 5000 bytes") {
  ReplyParser p;
  auto r = p.line("250 " + std::string(max_reply_line - 10, 'x'));
  REQUIRE(r);
  CHECK(r->text.size() <= max_reply_text + 1);
  CHECK(r->text.back() == '\n');
}

TEST_CASE("EHLO keywords are found case-insensitively") {
  ReplyParser p;
  p.line("250-mx.test hello");
  p.line("250-pipelining");
  p.line("250-SIZE 1000");
  p.line("250-8BITMIME");
  p.line("250-StartTLS");
  auto r = p.line("250 SMTPUTF8");
  REQUIRE(r);
  auto ext = parse_ehlo(*r);
  CHECK(ext.pipelining);
  CHECK(ext.size);
  CHECK(ext.size_limit == 1000);
  CHECK(ext.eightbitmime);
  CHECK(ext.starttls);
  CHECK(ext.smtputf8);
  ReplyParser q;
  auto bare = q.line("250 mx.test PIPELINING");  // the greeting line is not a keyword
  CHECK_FALSE(parse_ehlo(*bare).pipelining);
}

TEST_CASE("blast encodes the body as qmail-remote does (mta.md 9.7)") {
  struct Row { std::string input; std::optional<std::string> output; };
  const Row rows[] = {
      {"partial", std::nullopt},
      {"a\nb", std::nullopt},
      {"", ".\r\n"},
      {".\n", "..\r\n.\r\n"},
      {"cr\rlf\n", "cr\r\nlf\r\n.\r\n"},
      {".\r\n", "..\r\n.\r\n"},
      {"a\r", "a\r\n.\r\n"},
      {"a\r\r\nb\n", "a\r\n\r\nb\r\n.\r\n"},
      {"x\n.\n..y\n", "x\r\n..\r\n...y\r\n.\r\n"},
      {"a\r.b\n", "a\r\n..b\r\n.\r\n"},
      {"8bit \xe9\0\n"s, "8bit \xe9\0\r\n.\r\n"s},
  };
  for (const auto& row : rows) {
    INFO("input: " << row.input);
    CHECK(blast(row.input) == row.output);
  }
}

TEST_CASE("blast gives the same bytes however the input is cut") {
  std::string message = "From: a\r\n\r\n.line\nx\r\r\n.\n";
  auto whole = blast(message);
  REQUIRE(whole);
  for (std::size_t cut = 0; cut <= message.size(); ++cut) {
    Blaster b;
    std::string out;
    b.feed(std::string_view(message).substr(0, cut), out);
    b.feed(std::string_view(message).substr(cut), out);
    REQUIRE(b.finish(out));
    INFO("cut at " << cut);
    CHECK(out == *whole);
  }
}

TEST_CASE("smtproutes: qmail's key order, the empty key, ports and bad lines") {
  const std::vector<std::string> lines = {
      ".af.mil:subs.relay", "example.test:relay.test:2525", ":smarthost.test", "literal.test:[10.0.0.1]",
      "example.test:relay2.test", "plain.test:"};
  struct Row { std::string host; std::string relay; unsigned port; };
  const Row rows[] = {
      {"example.test", "relay2.test", 0},   // the last duplicate wins
      {"x.af.mil", "subs.relay", 0},
      {"af.mil", "smarthost.test", 0},      // ".af.mil" does not cover af.mil
      {"other.org", "smarthost.test", 0},
      {"literal.test", "[10.0.0.1]", 0},
      {"plain.test", "", 0},                // empty relay: use MX
  };
  for (const auto& row : rows) {
    INFO("host " << row.host);
    auto r = find_route(lines, row.host);
    REQUIRE(r);
    CHECK(r->relay == row.relay);
    CHECK(r->port == row.port);
  }
  auto port = find_route({"example.test:relay.test:2525"}, "example.test");
  REQUIRE(port);
  CHECK(port->port == 2525);
  CHECK_FALSE(find_route({"a.test:b"}, "c.test"));
  CHECK_THROWS_AS(find_route({"no colon"}, "x.test"), std::invalid_argument);
  CHECK_THROWS_AS(find_route({"x.test:relay:port"}, "x.test"), std::invalid_argument);
  CHECK_THROWS_AS(find_route({"x.test:relay:70000"}, "x.test"), std::invalid_argument);
}

TEST_CASE("tlsdestinations: longest suffix, '*', literals, bad policies") {
  const std::vector<std::string> lines = {"*:none", ".bank.test:verify:/etc/ca.pem", "mx.bank.test:opportunistic",
                                          "[10.0.0.1]:verify"};
  struct Row { std::string host; TlsPolicy policy; std::string ca; };
  const Row rows[] = {
      {"www.bank.test", TlsPolicy::verify, "/etc/ca.pem"},
      {"mx.bank.test", TlsPolicy::opportunistic, ""},
      {"bank.test", TlsPolicy::none, ""},
      {"[10.0.0.1]", TlsPolicy::verify, ""},
      {"[10.0.0.2]", TlsPolicy::none, ""},
  };
  for (const auto& row : rows) {
    INFO("host " << row.host);
    auto rule = find_tls_rule(lines, row.host);
    CHECK(rule.policy == row.policy);
    CHECK(rule.ca_file == row.ca);
  }
  CHECK(find_tls_rule({}, "any.test").policy == TlsPolicy::opportunistic);
  CHECK_THROWS_AS(find_tls_rule({"x.test:sometimes"}, "x.test"), std::invalid_argument);
  CHECK_THROWS_AS(find_tls_rule({"nocolon"}, "x.test"), std::invalid_argument);
}

TEST_CASE("literal hosts") {
  CHECK(parse_literal("[1.2.3.4]") == ip("1.2.3.4"));
  CHECK(parse_literal("1.2.3.4") == ip("1.2.3.4"));
  CHECK(parse_literal("[IPv6:::1]") == ip("::1"));
  CHECK(parse_literal("[::1]") == ip("::1"));
  CHECK_FALSE(parse_literal("[1.2.3.4"));
  CHECK_FALSE(parse_literal("[bad]"));
  CHECK_FALSE(parse_literal("example.test"));
  CHECK_FALSE(parse_literal("1.2.3"));
}

TEST_CASE("MX records are sorted by preference and equal ones shuffled") {
  std::vector<mta::dns::Mx> mx = {{20, "c"}, {10, "a1"}, {10, "a2"}, {10, "a3"}, {5, "z"}};
  std::set<std::string> firsts_of_10;
  for (unsigned seed = 0; seed < 50; ++seed) {
    auto copy = mx;
    std::mt19937 random(seed);
    order_mx(copy, random);
    CHECK(copy.front().host == "z");
    CHECK(copy.back().host == "c");
    for (std::size_t i = 1; i + 1 < copy.size(); ++i) CHECK(copy[i].preference == 10);
    firsts_of_10.insert(copy[1].host);
  }
  CHECK(firsts_of_10.size() > 1);  // shuffled, not fixed
}

TEST_CASE("the self check keeps only MXes better than our own preference") {
  const std::vector<mta::dns::IpAddress> local = {ip("192.0.2.1")};
  std::vector<Destination> dests = {
      {ip("198.51.100.1"), 5, "a"}, {ip("192.0.2.1"), 10, "me"}, {ip("198.51.100.2"), 10, "b"},
      {ip("198.51.100.3"), 20, "c"}};
  CHECK(drop_self(dests, local, {}));
  REQUIRE(dests.size() == 1);
  CHECK(dests[0].name == "a");

  std::vector<Destination> best = {{ip("192.0.2.1"), 0, "me"}, {ip("198.51.100.1"), 10, "b"}};
  CHECK_FALSE(drop_self(best, local, {}));

  std::vector<Destination> by_name = {{ip("198.51.100.9"), 0, "Mail.Example.Test"}};
  CHECK_FALSE(drop_self(by_name, {}, {"mail.example.test"}));

  std::vector<Destination> none_local = {{ip("198.51.100.1"), 0, "x"}};
  CHECK(drop_self(none_local, local, {}));
  CHECK(none_local.size() == 1);
}

TEST_CASE("SMTP paths and the SMTPUTF8 test") {
  CHECK(smtp_path("joe@example.test") == "<joe@example.test>");
  CHECK(smtp_path("") == "<>");
  CHECK(smtp_path("joe smith@example.test") == "<\"joe smith\"@example.test>");
  CHECK_FALSE(needs_utf8("joe@example.test"));
  CHECK(needs_utf8("j\xc3\xb6rg@example.test"));
}
