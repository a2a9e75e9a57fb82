// Unit tests: mta/core/dns — DNSCACHEIP parsing and address literals. The
// look-ups themselves are exercised against dnsmasq in tests/e2e/remote_*.sh.
#include <catch2/catch.hpp>

#include <sys/socket.h>

#include "mta/core/dns.h"

using mta::dns::IpAddress;
using mta::dns::parse_dnscacheip;

TEST_CASE("a bad DNSCACHEIP entry is refused") {
  const char* rows[] = {"nonsense", "1.2.3", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:x",
                        "[::1", "[::1]x", "[::1]:", "[1.2.3.4.5]:53", "::1::2"};
  for (const char* row : rows) {
    INFO("value: " << row);
    CHECK_THROWS_AS(parse_dnscacheip(row), std::invalid_argument);
  }
}

TEST_CASE("DNSCACHEIP: addresses, ports, IPv6 in brackets, separators") {
  CHECK(parse_dnscacheip("").empty());
  CHECK(parse_dnscacheip("   ").empty());
  auto s = parse_dnscacheip("127.0.0.1 127.0.0.2:5353  [::1]:5300 ::1 [fe80::1],10.0.0.1");
  REQUIRE(s.size() == 6);
  CHECK(s[0].address == *IpAddress::parse("127.0.0.1"));
  CHECK(s[0].port == 53);
  CHECK(s[1].port == 5353);
  CHECK(s[2].address == *IpAddress::parse("::1"));
  CHECK(s[2].port == 5300);
  CHECK(s[3].address.family == AF_INET6);
  CHECK(s[3].port == 53);
  CHECK(s[4].address.to_string() == "fe80::1");
  CHECK(s[5].address.to_string() == "10.0.0.1");
}

TEST_CASE("IP address text both ways") {
  CHECK(IpAddress::parse("192.0.2.7")->to_string() == "192.0.2.7");
  CHECK(IpAddress::parse("2001:DB8::1")->to_string() == "2001:db8::1");
  CHECK_FALSE(IpAddress::parse(""));
  CHECK_FALSE(IpAddress::parse("300.1.1.1"));
  CHECK_FALSE(IpAddress::parse("example.test"));
  CHECK_FALSE(IpAddress::parse(std::string_view("1.2.3.4\0", 8)));
}
