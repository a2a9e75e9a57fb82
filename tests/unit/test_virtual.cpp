// Unit tests: the virtual-domain filters — HOST/EXT checks, the domain
// suffix walk, the virtual passwd reader and its cdb, Maildir++ quota
// parsing and the over-quota decision, vdelivermail's ACTION, the loop check.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "filters/quota.h"
#include "filters/vdeliver.h"
#include "filters/virtual.h"
#include "filters/vuser.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "tmpdir.h"

namespace {

namespace fs = std::filesystem;
using filters::quota::Limits;
using filters::quota::Usage;
using lettershop_test::TempDir;

void write(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// The dsn of the MailError f throws, or "none".
template <typename F>
std::string dsn_of(F f) {
  try {
    f();
  } catch (const mta::MailError& e) {
    return e.dsn();
  }
  return "none";
}

}  // namespace

TEST_CASE("HOST: unsafe values are refused, others lower-cased") {
  struct Row {
    std::string host, want;  // want "" = refused
  };
  const std::vector<Row> rows{
      {"", ""},
      {"..", ""},
      {"../x", ""},
      {"a/b.com", ""},
      {"/etc", ""},
      {"a..b.com", ""},
      {".hidden.com", ""},
      {"domain1.com.", ""},
      {std::string("dom\0ain.com", 11), ""},
      {"dom ain.com", ""},
      {"dom\nain.com", ""},
      {"Domain1.COM", "domain1.com"},
      {"domain1.com", "domain1.com"},
      {"mail.domain1.com", "mail.domain1.com"},
  };
  for (const auto& r : rows) {
    INFO("host '" << r.host << "'");
    if (r.want.empty()) {
      CHECK(dsn_of([&] { filters::virt::checked_host(r.host); }) == "5.1.2");
    } else {
      CHECK(filters::virt::checked_host(r.host) == r.want);
    }
  }
}

TEST_CASE("EXT: unsafe values are 'no such user', others lower-cased") {
  struct Row {
    std::string ext, want;
  };
  const std::vector<Row> rows{
      {"", ""},      {"..", ""},     {"../root", ""}, {"a/b", ""}, {".bob", ""},
      {"bob:x", ""}, {"b ob", ""},   {std::string("bo\0b", 4), ""},
      {"BOB", "bob"}, {"bob", "bob"}, {"bob.smith", "bob.smith"}, {"bob-ext", "bob-ext"},
  };
  for (const auto& r : rows) {
    INFO("ext '" << r.ext << "'");
    if (r.want.empty()) {
      try {
        filters::virt::checked_ext(r.ext);
        FAIL("accepted");
      } catch (const mta::PermError& e) {
        CHECK(e.dsn() == "5.1.1");
        CHECK(std::string(e.what()).find("no such user") != std::string::npos);
      }
    } else {
      CHECK(filters::virt::checked_ext(r.ext) == r.want);
    }
  }
}

TEST_CASE("the suffix walk goes from the full domain to shorter ones, never to a bare label") {
  using V = std::vector<std::string>;
  CHECK(filters::virt::suffixes("com") == V{});
  CHECK(filters::virt::suffixes("") == V{});
  CHECK(filters::virt::suffixes("domain1.com") == V{"domain1.com"});
  CHECK(filters::virt::suffixes("a.b.domain1.com") == V{"a.b.domain1.com", "b.domain1.com", "domain1.com"});
}

TEST_CASE("find_domain takes the longest suffix that is a directory") {
  TempDir t("virtual");
  fs::create_directories(t.path / "domain1.com");
  fs::create_directories(t.path / "sub.domain1.com");
  write(t.path / "file.com", "not a directory");
  fs::create_directories(t.path / "com");

  auto d = filters::virt::find_domain(t.path, "x.sub.domain1.com");
  REQUIRE(d);
  CHECK(d->name == "sub.domain1.com");
  d = filters::virt::find_domain(t.path, "mail.domain1.com");
  REQUIRE(d);
  CHECK(d->name == "domain1.com");
  CHECK(d->dir == t.path / "domain1.com");
  CHECK_FALSE(filters::virt::find_domain(t.path, "file.com"));
  CHECK_FALSE(filters::virt::find_domain(t.path, "other.com"));  // "com" is never tried
  CHECK_FALSE(filters::virt::find_domain(t.path / "missing", "domain1.com"));
}

TEST_CASE("inside resolves symlinks before comparing") {
  TempDir t("virtual");
  fs::create_directories(t.path / "dom" / "users" / "bob");
  fs::create_directories(t.path / "other");
  fs::create_directories(t.path / "domain");
  fs::create_directory_symlink(t.path / "other", t.path / "dom" / "users" / "evil");
  CHECK(filters::virt::inside(t.path / "dom", t.path / "dom" / "users" / "bob"));
  CHECK(filters::virt::inside(t.path / "dom", t.path / "dom"));
  CHECK_FALSE(filters::virt::inside(t.path / "dom", t.path / "dom" / "users" / "evil"));
  CHECK_FALSE(filters::virt::inside(t.path / "dom", t.path / "dom" / ".." / "other"));
  CHECK_FALSE(filters::virt::inside(t.path / "dom", t.path / "domain"));
  CHECK_THROWS_AS(filters::virt::inside(t.path / "dom", t.path / "dom" / "nobody"), mta::TempError);
}

TEST_CASE("the passwd reader skips bad lines with a reason") {
  struct Row {
    std::string line, reason;  // reason "" and ok: an account
    bool ok;
  };
  const std::vector<Row> rows{
      {"bob:x:1000:1000::/v/bob", "fewer than 7 fields", false},
      {"bob:x:1000:1000::/v/bob:sh:extra", "more than 7 fields", false},
      {"bob", "fewer than 7 fields", false},
      {":x:1000:1000::/v/bob:", "bad user name", false},
      {"b/ob:x:1000:1000::/v/bob:", "bad user name", false},
      {".bob:x:1000:1000::/v/bob:", "bad user name", false},
      {"bob:x:-1:1000::/v/bob:", "bad uid or gid", false},
      {"bob:x:abc:1000::/v/bob:", "bad uid or gid", false},
      {"bob:x:1000::1000:/v/bob:", "bad uid or gid", false},
      {"bob:x:4294967295:1000::/v/bob:", "bad uid or gid", false},
      {"bob:x:99999999999999999999:1:: /v/bob:", "bad uid or gid", false},
      {"bob:x:1000:1000:::", "empty home directory", false},
      {std::string("bob:x:1000:1000::/v/b\0b:", 24), "control character", false},
      {mta::cat("bob:x:1000:1000::/v/", std::string(filters::vuser::max_line, 'a'), ":"), "line too long", false},
      {"", "", false},
      {"# comment", "", false},
      {"bob:x:1000:1000:Bob:/v/bob:", "", true},
      {"bob:x:1000:1000:Bob:/v/bob:NOQUOTA\r", "", true},
  };
  for (const auto& r : rows) {
    INFO("line '" << r.line.substr(0, 60) << "'");
    std::string reason;
    auto u = filters::vuser::parse_line(r.line, reason);
    CHECK(bool(u) == r.ok);
    CHECK(reason == r.reason);
  }
  std::string reason;
  auto u = filters::vuser::parse_line("bob:pw:1000:1001:Bob B:/v/bob:100S,2C", reason);
  REQUIRE(u);
  CHECK(*u == filters::vuser::VUser{"bob", "pw", 1000, 1001, "Bob B", "/v/bob", "100S,2C"});
}

TEST_CASE("a passwd file: good lines count, bad ones are listed by number") {
  auto f = filters::vuser::parse("alice:x:1:1::/a:\nbroken\n\n#c\nbob:x:2:2::/b:");
  REQUIRE(f.users.size() == 2);
  CHECK(f.users[1].name == "bob");
  REQUIRE(f.rejected.size() == 1);
  CHECK(f.rejected[0].line_number == 2);
}

TEST_CASE("find_in_text: exact name, first match, huge lines skipped") {
  TempDir t("virtual");
  const fs::path p = t.path / "passwd";
  write(p, mta::cat("bobby:x:1:1::/v/bobby:\n", std::string(100000, 'x'), "\nbob:x:2:2::/v/bob:\nbob:x:3:3::/v/bob2:"));
  auto u = filters::vuser::find_in_text(p, "bob");
  REQUIRE(u);
  CHECK(u->uid == 2);
  CHECK_FALSE(filters::vuser::find_in_text(p, "bo"));
  CHECK_FALSE(filters::vuser::find_in_text(p, "BOB"));
  CHECK_THROWS_AS(filters::vuser::find_in_text(t.path / "missing", "bob"), mta::TempError);
}

TEST_CASE("the user cdb: built atomically, found by name, bad and repeated lines left out") {
  TempDir t("virtual");
  const fs::path db = t.path / "vpasswd.cdb";
  auto rejected = filters::vuser::build_cdb("alice:x:1:1::a:\nbad line\nbob:x:2:2::/v/bob:5000S\nbob:x:3:3::/x:\n", db);
  REQUIRE(rejected.size() == 2);
  CHECK(rejected[0].line_number == 2);
  CHECK(rejected[1].reason == "duplicate user bob");
  CHECK_FALSE(fs::exists(t.path / "vpasswd.cdb.tmp"));
  auto bob = filters::vuser::find_in_cdb(db, "bob");
  REQUIRE(bob);
  CHECK(bob->uid == 2);
  CHECK(bob->shell == "5000S");
  CHECK(filters::vuser::lookup(t.path, "alice")->home == "a");
  CHECK_FALSE(filters::vuser::lookup(t.path, "carol"));
  CHECK_FALSE(filters::vuser::find_in_cdb(t.path / "none.cdb", "bob"));
}

TEST_CASE("the user cdb stays fast with 100,000 users") {
  TempDir t("virtual");
  std::string text;
  for (int i = 0; i < 100000; ++i) text += mta::cat("user", std::to_string(i), ":x:1:1::u", std::to_string(i), ":\n");
  REQUIRE(filters::vuser::build_cdb(text, t.path / "vpasswd.cdb").empty());
  for (int i : {0, 4711, 99999}) {
    auto u = filters::vuser::lookup(t.path, mta::cat("user", std::to_string(i)));
    REQUIRE(u);
    CHECK(u->home == mta::cat("u", std::to_string(i)));
  }
  CHECK_FALSE(filters::vuser::lookup(t.path, "user100000"));
}

TEST_CASE("lookup without any database is a temporary error") {
  TempDir t("virtual");
  CHECK(dsn_of([&] { filters::vuser::lookup(t.path, "bob"); }) == "4.3.5");
  write(t.path / "vpasswd", "bob:x:1:1::b:\n");
  CHECK(filters::vuser::lookup(t.path, "bob")->home == "b");
}

TEST_CASE("quota specs") {
  struct Row {
    std::string spec;
    std::optional<Limits> want;
  };
  const std::vector<Row> rows{
      {"S", std::nullopt},
      {"10X", std::nullopt},
      {"-5S", std::nullopt},
      {"10S,", std::nullopt},
      {",10S", std::nullopt},
      {"10S,20S", std::nullopt},
      {"99999999999999999999999S", std::nullopt},
      {"/bin/sh", std::nullopt},
      {"", Limits{}},
      {"NOQUOTA", Limits{}},
      {"5000", Limits{5000, std::nullopt}},
      {"5000S", Limits{5000, std::nullopt}},
      {"20C", Limits{std::nullopt, 20}},
      {"5000S,20C", Limits{5000, 20}},
      {"20C,5000S", Limits{5000, 20}},
  };
  for (const auto& r : rows) {
    INFO("spec '" << r.spec << "'");
    CHECK(filters::quota::parse_spec(r.spec) == r.want);
  }
  CHECK(filters::quota::format_spec(Limits{5000, 20}) == "5000S,20C");
  CHECK(filters::quota::format_spec(Limits{std::nullopt, 20}) == "20C");
}

TEST_CASE("maildirsize: bad lines, negative sums and overflow ask for a recalculation") {
  struct Row {
    std::string text;
    bool parsed, ok;
    Usage usage;
  };
  const std::vector<Row> rows{
      {"", false, false, {}},
      {"garbage\n1 1\n", false, false, {}},
      {"NOQUOTA\n", false, false, {}},
      {"1000S\n10 1\nbogus\n", true, false, {10, 1}},
      {"1000S\n10\n", true, false, {0, 0}},
      {"1000S\n10 1 2\n", true, false, {0, 0}},
      {"1000S\n-50 -1\n", true, false, {-50, -1}},
      {"1000S\n9223372036854775807 1\n1 1\n", true, false, {9223372036854775807, 1}},
      {"1000S\n99999999999999999999 1\n", true, false, {0, 0}},
      {"1000S,10C\n", true, true, {0, 0}},
      {"1000S,10C\n  100   2\n50 1\n-30 -1\n\n", true, true, {120, 2}},
      {"1000S\n100 1", true, true, {100, 1}},
  };
  for (const auto& r : rows) {
    INFO("maildirsize '" << r.text << "'");
    auto f = filters::quota::parse_maildirsize(r.text);
    REQUIRE(bool(f) == r.parsed);
    if (!f) continue;
    CHECK(f->ok == r.ok);
    if (r.ok) CHECK(f->usage == r.usage);
  }
}

TEST_CASE("the over-quota decision") {
  struct Row {
    Limits limits;
    Usage usage;
    std::uint64_t size;
    bool over;
  };
  const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
  const std::vector<Row> rows{
      {{1000, {}}, {0, 0}, 1000, false},
      {{1000, {}}, {0, 0}, 1001, true},
      {{1000, {}}, {900, 5}, 100, false},
      {{1000, {}}, {900, 5}, 101, true},
      {{1000, {}}, {2000, 5}, 0, true},
      {{1000, {}}, {0, 0}, big, true},
      {{big, {}}, {10, 0}, big, true},
      {{{}, 3}, {0, 2}, 1, false},
      {{{}, 3}, {0, 3}, 1, true},
      {{0, {}}, {0, 0}, 1, true},
      {{}, {1 << 30, 1 << 20}, 1 << 30, false},
  };
  for (const auto& r : rows) {
    INFO("usage " << r.usage.bytes << "/" << r.usage.count << " + " << r.size);
    CHECK(filters::quota::over_quota(r.limits, r.usage, r.size) == r.over);
  }
  CHECK(filters::quota::percent_used(Limits{1000, 10}, Usage{500, 9}) == 90);
  CHECK(filters::quota::percent_used(Limits{1000, {}}, Usage{-5, 0}) == 0);
}

TEST_CASE("load recalculates a missing, broken or oversized maildirsize from the Maildir") {
  TempDir t("virtual");
  const fs::path md = t.path / "Maildir";
  for (auto sub : {"tmp", "new", "cur", ".Sent/cur", ".Sent/new", ".Trash/cur"}) fs::create_directories(md / sub);
  write(md / "new" / "1.M1P1.host,S=100", std::string(7, 'x'));  // the name's size counts
  write(md / "cur" / "2.M2P2.host:2,S", std::string(50, 'x'));
  write(md / ".Sent" / "cur" / "3.M3P3.host", std::string(25, 'x'));
  write(md / ".Trash" / "cur" / "4.M4P4.host", std::string(1000, 'x'));  // not counted
  write(md / "new" / ".hidden", "x");

  CHECK_FALSE(filters::quota::load(md, std::nullopt));  // no file, no fallback: no quota
  auto s = filters::quota::load(md, Limits{1000, {}});
  REQUIRE(s);
  CHECK(s->usage == Usage{175, 3});
  CHECK(*mta::io::read_file(md / "maildirsize") == "1000S\n175 3\n");

  write(md / "maildirsize", "2000S\n1 1\nbroken\n");
  s = filters::quota::load(md, std::nullopt);
  REQUIRE(s);
  CHECK(s->limits == Limits{2000, {}});
  CHECK(s->usage == Usage{175, 3});

  std::string big = "2000S\n";
  while (big.size() < filters::quota::recalc_size) big += "1 1\n";
  write(md / "maildirsize", big);
  CHECK(filters::quota::load(md, std::nullopt)->usage == Usage{175, 3});

  write(md / "maildirsize", "2000S\n10 1\n");
  CHECK(filters::quota::load(md, std::nullopt)->usage == Usage{10, 1});  // trusted as it is
}

TEST_CASE("quota::deliver: under quota delivers and counts, over quota defers with one warning") {
  TempDir t("virtual");
  const fs::path md = t.path / "Maildir";
  const fs::path msg = t.path / "msg";
  write(msg, "Subject: hi\n\nFrom me\n");
  mta::io::Fd fd = mta::io::open_or_throw(msg, O_RDONLY);

  auto name = filters::quota::deliver(md, fd.get(), "Delivered-To: bob@x.test\n", Limits{60, {}}, "bob@x.test", 1000);
  CHECK(*mta::io::read_file(md / "new" / name) == "Delivered-To: bob@x.test\nSubject: hi\n\nFrom me\n");
  CHECK(*mta::io::read_file(md / "maildirsize") == "60S\n0 0\n46 1\n");

  ::lseek(fd.get(), 0, SEEK_SET);
  CHECK(dsn_of([&] { filters::quota::deliver(md, fd.get(), "", std::nullopt, "bob@x.test", 1000); }) == "4.2.2");
  // The refused delivery left one warning (46 of 60 bytes was under 90 %).
  auto msgs = [&] { return std::distance(fs::directory_iterator(md / "new"), fs::directory_iterator()); };
  CHECK(msgs() == 2);
  CHECK(fs::exists(md / "quotawarn"));
  // ...and a second refusal within a day leaves none.
  ::lseek(fd.get(), 0, SEEK_SET);
  CHECK(dsn_of([&] { filters::quota::deliver(md, fd.get(), "", std::nullopt, "bob@x.test", 1000); }) == "4.2.2");
  CHECK(msgs() == 2);
}

TEST_CASE("the warning text names the address, the usage and the quota") {
  auto text = filters::quota::warning_text("bob@x.test", {Limits{5000, 10}, Usage{4900, 7}}, true, 0);
  CHECK(text.find("To: <bob@x.test>\n") != std::string::npos);
  CHECK(text.find("Subject: Your mailbox is over quota\n") != std::string::npos);
  CHECK(text.find("holds 4900 bytes in 7 messages") != std::string::npos);
  CHECK(text.find("5000 bytes or 10 messages") != std::string::npos);
}

TEST_CASE("vdelivermail's ACTION") {
  using filters::vdeliver::ActionKind;
  struct Row {
    std::string text;
    bool ok;
    ActionKind kind;
  };
  const std::vector<Row> rows{
      {"", false, {}},
      {"bounce", false, {}},
      {"Bounce-No-Mailbox", false, {}},
      {"@example.com", false, {}},
      {"user@", false, {}},
      {"relative/dir", false, {}},
      {"/a/../etc/", false, {}},
      {"a b@example.com", false, {}},
      {"us\ner@example.com", false, {}},
      {"bounce-no-mailbox", true, ActionKind::bounce},
      {"delete", true, ActionKind::discard},
      {"postmaster@example.com", true, ActionKind::forward},
      {"/home/vpopmail/domains/d.com/postmaster", true, ActionKind::mailbox},
  };
  for (const auto& r : rows) {
    INFO("action '" << r.text << "'");
    if (!r.ok) {
      CHECK(dsn_of([&] { filters::vdeliver::parse_action(r.text); }) == "4.3.5");
    } else {
      auto a = filters::vdeliver::parse_action(r.text);
      CHECK(a.kind == r.kind);
      if (r.kind == ActionKind::forward || r.kind == ActionKind::mailbox) CHECK(a.target == r.text);
    }
  }
}

TEST_CASE("the loop check finds our Delivered-To line in the header only") {
  TempDir t("virtual");
  const fs::path msg = t.path / "msg";
  auto check = [&](std::string text) {
    write(msg, text);
    mta::io::Fd fd = mta::io::open_or_throw(msg, O_RDONLY);
    return dsn_of([&] { filters::virt::check_loop(fd.get(), {"Delivered-To: bob@d.com\n", ""}); });
  };
  CHECK(check("Delivered-To: bob@d.com\nSubject: x\n\nbody\n") == "5.4.6");
  CHECK(check("Subject: x\r\ndelivered-to: BOB@d.com\r\n\r\nbody\n") == "5.4.6");
  CHECK(check("Subject: x\n\nDelivered-To: bob@d.com\n") == "none");
  CHECK(check("Delivered-To: bob@d.com.evil\n\n") == "none");
  CHECK(check(mta::cat("Subject: ", std::string(200000, 'x'), "\nDelivered-To: bob@d.com")) == "5.4.6");
  CHECK(check("") == "none");
}
