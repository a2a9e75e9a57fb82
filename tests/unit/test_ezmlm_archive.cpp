// Unit tests: ezmlm-archive's index files (ezmlm/lib/post_threads.h).
// The expected texts are written out by hand from the format in
// ezmlm-archive(1); the hashes are arbitrary a..p strings.
#include <catch2/catch.hpp>

#include "ezmlm/lib/post_threads.h"

using namespace ezmlm::post;

namespace {
const std::string H1 = "aaaaaaaaaaaaaaaaaaaa";
const std::string H2 = "bbbbbbbbbbbbbbbbbbbb";
const std::string A1 = "pppppppppppppppppppp";
}  // namespace

TEST_CASE("valid_hash: 20 letters a..p only") {
  CHECK(valid_hash(H1));
  CHECK_FALSE(valid_hash(""));
  CHECK_FALSE(valid_hash("aaaaaaaaaaaaaaaaaaa"));    // 19
  CHECK_FALSE(valid_hash("aaaaaaaaaaaaaaaaaaaaa"));  // 21
  CHECK_FALSE(valid_hash("aaaaaaaaaaaaaaaaaaaq"));
  CHECK_FALSE(valid_hash("../aaaaaaaaaaaaaaaaa"));
  CHECK_FALSE(valid_hash("AAAAAAAAAAAAAAAAAAAA"));
}

TEST_CASE("parse_index: malformed entries are skipped and counted") {
  struct Row {
    const char* text;
    std::size_t records;
    unsigned bad;
  };
  const Row rows[] = {
      {"1: bad subject\n\td;pppppppppppppppppppp x\n", 0, 2},                     // short hash, orphan tab line
      {"x: aaaaaaaaaaaaaaaaaaaa s\n", 0, 1},                                      // no number
      {"1:aaaaaaaaaaaaaaaaaaaa s\n\td;pppppppppppppppppppp x\n", 0, 2},           // no space after ':'
      {"1: aaaaaaaaaaaaaaaaaaaa s\n", 0, 1},                                      // no tab line
      {"1: aaaaaaaaaaaaaaaaaaaa s\n\tno semicolon\n", 0, 1},
      {"1: aaaaaaaaaaaaaaaaaaaa s\n\td;p/../ x\n", 0, 1},                         // bad author hash
      {"1: aaaaaaaaaaaaaaaaaaaa s\n\td;pppppppppppppppppppp x", 0, 1},            // cut short
      {"1: aaaaaaaaaaaaaaaaaaaaX\n\td;pppppppppppppppppppp x\n", 0, 2},
      {"", 0, 0},
      {"1: aaaaaaaaaaaaaaaaaaaa s\n\td;pppppppppppppppppppp x\n", 1, 0},
      {"1: aaaaaaaaaaaaaaaaaaaa\n\td;\n", 1, 0},                                  // no subject, no author
      {"junk\n1: aaaaaaaaaaaaaaaaaaaa s\n\td;pppppppppppppppppppp x\n", 1, 1},
      {"1: aaaaaaaaaaaaaaaaaaaa s\n\td;pppppppppppppppppppp a;b\n", 1, 0},       // ';' in the author (fuzzer)
  };
  for (const auto& row : rows) {
    INFO(row.text);
    unsigned bad = 0;
    CHECK(parse_index(row.text, bad).size() == row.records);
    CHECK(bad == row.bad);
  }
}

TEST_CASE("parse_index: the fields of an entry") {
  unsigned bad = 0;
  auto r = parse_index("7: " + H1 + " Re: a; b\n\t24 Nov 2026 12:00:01 -0000;" + A1 + " Ann Smith\n"
                       "8: " + H2 + " \n\tx;\n", bad);
  REQUIRE(r.size() == 2);
  CHECK(bad == 0);
  CHECK(r[0] == IndexRecord{7, H1, "Re: a; b", "24 Nov 2026 12:00:01 -0000", A1, "Ann Smith"});
  CHECK(r[1] == IndexRecord{8, H2, "", "x", "", ""});
}

TEST_CASE("yyyymm_of") {
  struct Row {
    const char* date;
    unsigned want;
  };
  const Row rows[] = {
      {"", 0},
      {"garbage", 0},
      {"32 Nov 2026", 0},
      {"24 Nox 2026", 0},
      {"24 Nov", 0},
      {"24 Nov 1800", 0},
      {"24 Nov 2026 12:00:01 -0000", 202611},
      {"Tue, 3 Feb 2026 01:02:03 +0100", 202602},
      {" 1 jan 99 00:00 GMT", 199901},
      {"1 Dec 05", 200512},
      {"1 DEC 105", 200512},
  };
  for (const auto& row : rows) {
    INFO(row.date);
    CHECK(yyyymm_of(row.date) == row.want);
  }
}

TEST_CASE("thread_file: merge with the month's old lines") {
  const std::string t1 = "3:" + H1 + " [2] one\n";
  const std::string t2 = "5:" + H2 + " [1] two\n";
  unsigned bad = 0;
  // New file.
  CHECK(thread_file("", 1, {{9, H1, "one", 4}}, bad) == "9:" + H1 + " [4] one\n");
  // An untouched thread keeps its line; a touched one carries its count and moves last.
  CHECK(thread_file(t1 + t2, 6, {{7, H1, "Re: one", 1}}, bad) == t2 + "7:" + H1 + " [3] Re: one\n");
  CHECK(bad == 0);
  // Lines at or above `from` are dropped (made again), without carrying.
  CHECK(thread_file(t1 + t2, 5, {{6, H2, "two", 2}}, bad) == t1 + "6:" + H2 + " [2] two\n");
  // Damaged lines are dropped and counted.
  bad = 0;
  CHECK(thread_file("x\n3:" + H1 + " 2 one\n3:short [1] x\n" + t2, 9, {}, bad) == t2);
  CHECK(bad == 3);
  // Order of fresh threads is the caller's.
  bad = 0;
  CHECK(thread_file("", 1, {{2, H2, "b", 1}, {1, H1, "a", 1}}, bad) ==
        "2:" + H2 + " [1] b\n1:" + H1 + " [1] a\n");
}

TEST_CASE("key_file: first line kept, entries below `from` kept") {
  unsigned bad = 0;
  const std::string head = H1 + " one\n";
  CHECK(key_file("", H1 + " one", 1, "1:202611:" + A1 + " Ann\n", bad) == head + "1:202611:" + A1 + " Ann\n");
  const std::string old = head + "1:202611:" + A1 + " Ann\n4:202612:" + A1 + " Ann\n";
  // Re-run from 4: entry 4 is replaced, not doubled; the old first line wins.
  CHECK(key_file(old, H1 + " changed", 4, "4:202612:" + A1 + " Ann\n", bad) == old);
  CHECK(key_file(old, H1 + " x", 5, "5:202612:\n", bad) == old + "5:202612:\n");
  CHECK(bad == 0);
  // A first line that is not "HASH text" is kept but counted.
  CHECK(key_file("nohash\n", "x", 1, "", bad) == "nohash\n");
  CHECK(bad == 1);
  bad = 0;
  CHECK(key_file(head + "junk\n", "x", 1, "", bad) == head);
  CHECK(bad == 1);
}
