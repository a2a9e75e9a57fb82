// Unit tests for ezmlm-tstdig's criteria and dignum parsing.
#include <catch2/catch.hpp>

#include "ezmlm/lib/tstdig.h"

using namespace ezmlm::tstdig;

TEST_CASE("tstdig: dignum lines", "[ezmlm][tstdig]") {
  struct Row {
    const char* line;
    DigNum want;
  };
  const Row rows[] = {
      {"", {0, 0, 0}},
      {"junk", {0, 0, 0}},
      {"5", {5, 0, 0}},
      {"5:", {5, 0, 0}},
      {"5:12", {5, 12, 0}},
      {"5:12:1700000000\n", {5, 12, 1700000000}},
      {"5:12:1700000000:extra", {5, 12, 1700000000}},
  };
  for (const auto& r : rows) {
    INFO(r.line);
    CHECK(parse_dignum(r.line) == r.want);
  }
  CHECK(format_dignum({5, 12, 7}) == "5:12:7\n");
}

TEST_CASE("tstdig: criteria", "[ezmlm][tstdig]") {
  const std::time_t now = 1'000'000;
  const DigNum last{10, 100, static_cast<unsigned long>(now - 3600)};
  struct Row {
    Criteria c;
    unsigned long num, size;
    bool want;
  };
  const Row rows[] = {
      {{0, 0, 0}, 1000, 100000, false},  // everything off
      {{0, 0, 1}, 10, 100, true},        // an hour has passed
      {{0, 0, 2}, 10, 100, false},
      {{1, 0, 0}, 10, 104, true},        // 1 kbyte = 4 units
      {{1, 0, 0}, 10, 103, false},
      {{0, 4, 0}, 14, 100, true},
      {{0, 4, 0}, 13, 100, false},
      {{64, 30, 48}, 39, 355, false},
  };
  for (const auto& r : rows) {
    INFO("k" << r.c.kbytes << " m" << r.c.msgs << " t" << r.c.hours << " num " << r.num << " size " << r.size);
    CHECK(due(r.c, last, r.num, r.size, now) == r.want);
  }
}
