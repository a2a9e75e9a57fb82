// Unit tests: mta/core/queue_layout — qmail's queue file names: split
// directories for mess/info/local/remote, flat todo/intd/bounce, and the
// strict message-number parser that guards every directory walk.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "mta/core/queue_layout.h"

TEST_CASE("mess, info, local and remote are split by id modulo conf-split; the rest are flat") {
  mta::QueueLayout q{"/var/qmail/queue"};
  CHECK(q.split == 23);
  CHECK(q.mess(457) == "/var/qmail/queue/mess/20/457");
  CHECK(q.info(457) == "/var/qmail/queue/info/20/457");
  CHECK(q.local(457) == "/var/qmail/queue/local/20/457");
  CHECK(q.remote(457) == "/var/qmail/queue/remote/20/457");
  CHECK(q.mess(0) == "/var/qmail/queue/mess/0/0");
  CHECK(q.mess(23) == "/var/qmail/queue/mess/0/23");
  CHECK(q.mess(22) == "/var/qmail/queue/mess/22/22");
  CHECK(q.intd(457) == "/var/qmail/queue/intd/457");
  CHECK(q.todo(457) == "/var/qmail/queue/todo/457");
  CHECK(q.bounce(457) == "/var/qmail/queue/bounce/457");
  CHECK(q.pid_dir() == "/var/qmail/queue/pid");
  CHECK(q.trigger() == "/var/qmail/queue/lock/trigger");
  CHECK(q.sendmutex() == "/var/qmail/queue/lock/sendmutex");
  CHECK(q.tcpto() == "/var/qmail/queue/lock/tcpto");
  // 64-bit inode numbers (XFS, btrfs) are names too.
  CHECK(q.mess(18446744073709551615ULL) == "/var/qmail/queue/mess/5/18446744073709551615");
}

TEST_CASE("another conf-split changes only the split directories") {
  mta::QueueLayout q{"q", 101};
  CHECK(q.mess(457) == "q/mess/53/457");
  CHECK(q.todo(457) == "q/todo/457");
}

TEST_CASE("parse_queue_id accepts canonical decimal numbers only") {
  struct Row {
    std::string name;
    bool ok;
    std::uint64_t id;
  };
  const Row rows[] = {
      {"", false, 0},
      {"01", false, 0},  // not canonical: two names for one message
      {"00", false, 0},
      {"12a", false, 0},
      {"a12", false, 0},
      {"-1", false, 0},
      {"+1", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {"457.tmp", false, 0},
      {".", false, 0},
      {"..", false, 0},
      {std::string("4\0" "5", 3), false, 0},
      {"18446744073709551616", false, 0},  // 2^64: overflow
      {"99999999999999999999", false, 0},
      {"123456789012345678901", false, 0},  // 21 digits
      {"0", true, 0},
      {"7", true, 7},
      {"457", true, 457},
      {"18446744073709551615", true, 18446744073709551615ULL},
  };
  for (const auto& row : rows) {
    INFO("name \"" << row.name << "\"");
    std::uint64_t id = 12345;
    CHECK(mta::parse_queue_id(row.name, id) == row.ok);
    if (row.ok) CHECK(id == row.id);
  }
}
