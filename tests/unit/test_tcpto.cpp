// Unit tests: mta/smtp/tcpto — qmail's connect-timeout table (mta.md 9.6).
#include <catch2/catch.hpp>

#include <fstream>

#include "mta/smtp/tcpto.h"
#include "tmpdir.h"

using mta::dns::IpAddress;
using mta::tcpto::Table;

namespace {
IpAddress ip(const char* text) { return *IpAddress::parse(text); }
}  // namespace

TEST_CASE("tcpto: two timeouts mark a host down for about an hour") {
  Table t;
  auto a = ip("192.0.2.1");
  CHECK_FALSE(t.down(a, 1000, 0));
  t.timed_out(a, 1000);
  CHECK_FALSE(t.down(a, 1001, 0));  // one timeout is not enough
  t.timed_out(a, 1050);             // within 120 s: the same outage, not counted
  CHECK(t.entries().at(0).count == 1);
  t.timed_out(a, 1200);
  CHECK(t.entries().at(0).count == 2);
  CHECK(t.down(a, 1300, 0));
  CHECK(t.down(a, 1200 + 60 * 64 - 1, 0));
  CHECK_FALSE(t.down(a, 1200 + 60 * 64, 0));
  CHECK(t.down(a, 1200 + 60 * 64, 31));  // (60 + (pid & 31)) * 64
  t.reachable(a);
  CHECK_FALSE(t.down(a, 1300, 0));
  CHECK(t.entries().empty());
}

TEST_CASE("tcpto: byte layout is qmail's") {
  Table t;
  t.timed_out(ip("1.2.3.4"), 0x01020304);
  const auto& b = t.bytes();
  CHECK(b[0] == 1);
  CHECK(b[3] == 4);
  CHECK(b[4] == 1);
  CHECK(b[8] == 0x04);
  CHECK(b[11] == 0x01);
  for (std::size_t i = 16; i < b.size(); ++i) REQUIRE(b[i] == 0);
  CHECK(mta::tcpto::format(t, 0x01020304 + 7) == "1.2.3.4 timed out 7 seconds ago; # recent timeouts: 1\n");
}

TEST_CASE("tcpto: the count stops at 10, a full table evicts the least useful slot, IPv6 is ignored") {
  Table t;
  auto a = ip("192.0.2.1");
  for (unsigned i = 0; i < 15; ++i) t.timed_out(a, 1000 + i * 200);
  CHECK(t.entries().at(0).count == 10);
  for (unsigned i = 0; i < 63; ++i) {
    IpAddress other = ip("198.51.100.0");
    other.bytes[3] = static_cast<std::uint8_t>(i);
    t.timed_out(other, 5000 + i);
  }
  CHECK(t.entries().size() == 64);
  t.timed_out(ip("203.0.113.1"), 9000);  // evicts the smallest time + count * 1024: 198.51.100.0
  auto entries = t.entries();
  CHECK(entries.size() == 64);
  bool old_gone = true;
  for (const auto& e : entries) old_gone &= e.address != ip("198.51.100.0");
  CHECK(old_gone);
  Table six;
  six.timed_out(ip("::1"), 1);
  CHECK(six.entries().empty());
}

TEST_CASE("tcpto file: update under lock, clear to 1024 zero bytes") {
  lettershop_test::TempDir dir("tcpto");
  auto path = dir.path / "tcpto";
  CHECK(mta::tcpto::read(path).entries().empty());  // missing reads as empty
  mta::tcpto::update(path, [](Table& t) { t.timed_out(*IpAddress::parse("192.0.2.9"), 77); });
  CHECK(std::filesystem::file_size(path) == 1024);
  CHECK(mta::tcpto::read(path).entries().size() == 1);
  mta::tcpto::clear(path);
  CHECK(std::filesystem::file_size(path) == 1024);
  CHECK(mta::tcpto::read(path).entries().empty());
}
