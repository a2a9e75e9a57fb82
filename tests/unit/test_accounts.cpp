// Unit tests: mta/core/accounts — the strict passwd(5) parser of sandbox
// instances, and lookup's rule that a sandbox account must have the
// instance owner's uid.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "mta/core/accounts.h"
#include "mta/core/io.h"
#include "tests/unit/tmpdir.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
namespace accounts = mta::accounts;

TEST_CASE("passwd lines: malformed rows are refused with a reason") {
  struct Row { std::string line; std::string reason_part; };
  const Row rows[] = {
      {"joe:x:1000:1000::/home/joe", "7 fields"},
      {"joe:x:1000:1000::/home/joe:/bin/sh:extra", "7 fields"},
      {":x:1000:1000::/home/joe:/bin/sh", "empty account name"},
      {"jo e:x:1000:1000::/home/joe:/bin/sh", "account name"},
      {"joe:x:-1:1000::/home/joe:/bin/sh", "uid"},
      {"joe:x:10a:1000::/home/joe:/bin/sh", "uid"},
      {"joe:x::1000::/home/joe:/bin/sh", "uid"},
      {"joe:x:99999999999:1000::/home/joe:/bin/sh", "uid"},
      {"joe:x:1000:g::/home/joe:/bin/sh", "gid"},
      {"joe:x:1000:1000::home/joe:/bin/sh", "absolute"},
      {"joe:x:1000:1000:::/bin/sh", "absolute"},
      {"joe:x:1000:1000::/home/joe:/bin/sh\r", "carriage return"},
      {"jo\0e:x:1000:1000::/home/joe:/bin/sh"s, "NUL"},
  };
  for (const auto& row : rows) {
    INFO("line: " << row.line);
    std::string reason;
    CHECK_FALSE(accounts::parse_passwd_line(row.line, reason));
    CHECK_THAT(reason, Catch::Contains(row.reason_part));
  }
}

TEST_CASE("passwd lines: comments and blank lines are not errors") {
  std::string reason = "stale";
  CHECK_FALSE(accounts::parse_passwd_line("", reason));
  CHECK(reason.empty());
  CHECK_FALSE(accounts::parse_passwd_line("# a comment", reason));
  CHECK(reason.empty());
}

TEST_CASE("passwd lines: a good line gives name, uid, gid and home") {
  std::string reason;
  auto a = accounts::parse_passwd_line("fred:x:1001:100:Fred F:/home/fred:/bin/sh", reason);
  REQUIRE(a);
  CHECK(a->name == "fred");
  CHECK(a->uid == 1001);
  CHECK(a->gid == 100);
  CHECK(a->home == "/home/fred");
}

TEST_CASE("passwd files: bad lines are skipped, the rest still count") {
  auto f = accounts::parse_passwd("a:x:1:1::/a:/bin/sh\nbroken line\n# note\nb:x:2:2::/b:/bin/sh");
  REQUIRE(f.accounts.size() == 2);
  CHECK(f.accounts[0].name == "a");
  CHECK(f.accounts[1].name == "b");  // no final newline: still a line
  REQUIRE(f.rejected.size() == 1);
  CHECK(f.rejected[0].line_number == 2);
}

namespace {
// An instance root with users/ and the sandbox marker.
struct Sandbox : lettershop_test::TempDir {
  const fs::path& root = path;
  Sandbox() : lettershop_test::TempDir("accounts") {
    fs::create_directories(root / "users");
    mta::io::replace_file(root / "sandbox", "sandbox\n");
  }
};
}  // namespace

TEST_CASE("sandbox lookup: only accounts with the instance owner's uid") {
  Sandbox s;
  mta::Home home{s.root};
  std::string me = std::to_string(::getuid()), other = std::to_string(::getuid() + 1);
  CHECK_FALSE(accounts::lookup(home, "fred"));  // no users/passwd: no accounts
  mta::io::replace_file(s.root / "users/passwd",
                        "fred:x:" + me + ":" + me + "::/home/fred:/bin/sh\n"
                        "evil:x:" + other + ":0::/root:/bin/sh\n"
                        "bad\n");
  CHECK(accounts::instance_owner(home) == ::getuid());
  auto fred = accounts::lookup(home, "fred");
  REQUIRE(fred);
  CHECK(fred->home == "/home/fred");
  CHECK_FALSE(accounts::lookup(home, "evil"));
  CHECK_FALSE(accounts::lookup(home, "Fred"));  // exact, as getpwnam
  CHECK_FALSE(accounts::lookup(home, "nobody-here"));
}
