// Cookie addresses (ezmlm/lib/cookie_addr.h): malformed forms are refused
// before any hash is computed; a right hash outside its window is
// "expired", a wrong one "forged"; each db shortens the key by its own
// number of bytes; what make_*() writes, parse_*() reads back.
#include <catch2/catch.hpp>

#include <fstream>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/cookie_addr.h"
#include "ezmlm/lib/listdir.h"
#include "mta/core/exitcodes.h"
#include "tmpdir.h"

using namespace ezmlm;
namespace fs = std::filesystem;

namespace {
const std::string key = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::time_t t0 = 1795536000;
const std::string h20 = "abcdefghijklmnopabcd";
}  // namespace

TEST_CASE("parse_confirm refuses malformed cookie addresses", "[ezmlm][cookie_addr]") {
  const std::vector<std::string> bad = {
      "",
      "s",
      "sc",
      "sc.",
      "xc.1.abcdefghijklmnopabcd",          // unknown action
      "fc.1.abcdefghijklmnopabcd",
      "s.1.abcdefghijklmnopabcd",           // no 'c'
      "sc..abcdefghijklmnopabcd",           // empty time
      "sc.12a.abcdefghijklmnopabcd",        // time not a number
      "sc.12345678901234567890.abcdefghijklmnopabcd",  // 20 digits: not a time
      "sc.1abcdefghijklmnopabcd",           // no dot after the time
      "sc.1.abcdefghijklmnopabc",           // hash cut short (19)
      "sc.1.abcdefghijklmnopabc-u=x.org",   // cut hash with a target
      "sc.1.abcdefghijklmnopabcq",          // 'q' is not a cookie letter
      "sc.1.abcdefghijklmnopabcde",         // 21 letters
      "sc.1.abcdefghijklmnopabcd-",         // dash without target
      "sc.1.abcdefghijklmnopabcd+u=x.org",  // wrong separator
      "sc.1.abcdefghijklm0opabcd",
  };
  for (const auto& s : bad) {
    INFO(s);
    CHECK_FALSE(parse_confirm(s).has_value());
  }
}

TEST_CASE("parse_confirm reads action, time, hash and target", "[ezmlm][cookie_addr]") {
  struct Row { std::string in; char action; std::string time, hash, target; };
  const std::vector<Row> rows = {
      {"sc.1.abcdefghijklmnopabcd", 's', "1", h20, ""},
      {"SC.0001.ABCDEFGHIJKLMNOPABCD-user=example.org", 's', "0001", h20, "user@example.org"},
      {"uc.1795536000.abcdefghijklmnopabcd-a=b=c.org", 'u', "1795536000", h20, "a=b@c.org"},
      {"tc.5.abcdefghijklmnopabcd-nodomain", 't', "5", h20, "nodomain"},
      {"rc.5.abcdefghijklmnopabcd-x=y", 'r', "5", h20, "x@y"},
      {"vc.5.abcdefghijklmnopabcd-x=y", 'v', "5", h20, "x@y"},
      {"wc.5.abcdefghijklmnopabcd-x=y", 'w', "5", h20, "x@y"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    auto c = parse_confirm(r.in);
    REQUIRE(c.has_value());
    CHECK(c->action == r.action);
    CHECK(c->time_text == r.time);
    CHECK(c->hash == r.hash);
    CHECK(c->target == r.target);
  }
}

TEST_CASE("a confirmation cookie round-trips and tells expired from forged", "[ezmlm][cookie_addr]") {
  const std::string target = "User@Example.org";
  std::string made = confirm_cookie(key, CookieDb::main, 's', target, t0);
  INFO(made);
  CHECK(made.rfind("sc.1795536000.", 0) == 0);
  CHECK(made.substr(made.size() - 17) == "-User=Example.org");
  auto c = parse_confirm(made);
  REQUIRE(c);
  CHECK(c->target == target);
  CHECK(check_confirm(key, CookieDb::main, *c, target, t0) == CookieCheck::ok);
  CHECK(check_confirm(key, CookieDb::main, *c, target, t0 + confirm_validity) == CookieCheck::ok);
  CHECK(check_confirm(key, CookieDb::main, *c, target, t0 + confirm_validity + 1) == CookieCheck::expired);
  CHECK(check_confirm(key, CookieDb::main, *c, target, t0 - 1) == CookieCheck::expired);  // from the future
  // Another target, another action, another db, another key: forged.
  CHECK(check_confirm(key, CookieDb::main, *c, "other@example.org", t0) == CookieCheck::forged);
  CookieAddr u = *c;
  u.action = 'u';
  CHECK(check_confirm(key, CookieDb::main, u, target, t0) == CookieCheck::forged);
  CHECK(check_confirm(key, CookieDb::digest, *c, target, t0) == CookieCheck::forged);
  CHECK(check_confirm(key + "x", CookieDb::main, *c, target, t0) == CookieCheck::forged);
  // An altered time breaks the hash: forged, even if the new time is fresh.
  CookieAddr later = *c;
  later.time_text = "1795536001";
  later.time = 1795536001;
  CHECK(check_confirm(key, CookieDb::main, later, target, t0 + 5) == CookieCheck::forged);
  // Forged wins over expired: a wrong hash is never "expired".
  CookieAddr bad = *c;
  bad.hash[0] = bad.hash[0] == 'a' ? 'b' : 'a';
  CHECK(check_confirm(key, CookieDb::main, bad, target, t0 + confirm_validity + 10) == CookieCheck::forged);
}

TEST_CASE("each db shortens the key by its own number of bytes", "[ezmlm][cookie_addr]") {
  struct Row { CookieDb db; std::size_t cut; std::string_view name; };
  const Row rows[] = {{CookieDb::main, 0, ""}, {CookieDb::digest, 1, "digest"},
                      {CookieDb::allow, 2, "allow"}, {CookieDb::deny, 3, "deny"}};
  for (const auto& r : rows) {
    INFO(r.name);
    CHECK(db_key(key, r.db) == std::string_view(key).substr(0, key.size() - r.cut));
    CHECK(cookie_db_name(r.db) == r.name);
    std::string made = confirm_cookie(key, r.db, 't', "a@b.c", t0);
    std::string want = cookie(key.substr(0, key.size() - r.cut), "1795536000", "a@b.c", 't');
    CHECK(made == "tc.1795536000." + want + "-a=b.c");
  }
  CHECK(db_key("ab", CookieDb::deny).empty());
  CHECK(db_key("", CookieDb::digest).empty());
}

TEST_CASE("edit cookies cover the file's current contents", "[ezmlm][cookie_addr]") {
  const std::vector<std::string> bad = {"ed.", "ed.1.", "ed.1.top", "ed.1.top.", "ed.1..abcdefghijklmnopabcd",
                                        "ed.1.../abcdefghijklmnopabcd", "ed.1.To-p.abcdefghijklmnopabcd",
                                        "ed.x.top.abcdefghijklmnopabcd", "ed.1.top.abcdefghijklmnopab",
                                        "ex.1.top.abcdefghijklmnopabcd"};
  for (const auto& s : bad) {
    INFO(s);
    CHECK_FALSE(parse_edit(s));
  }
  std::string contents("hello\0there\n", 12);
  CHECK(edit_subject(contents, "sub-ok") == "hello_there\ntext/sub-ok");
  std::string made = edit_cookie(key, "sub-ok", contents, t0);
  CHECK(made.rfind("ed.1795536000.sub_ok.", 0) == 0);
  auto c = parse_edit(made);
  REQUIRE(c);
  CHECK(c->extra == "sub-ok");
  CHECK(c->action == '-');
  CHECK(c->hash == cookie(key, "1795536000", "hello_there\ntext/sub-ok", '-'));
  CHECK(check_edit(key, *c, contents, t0 + edit_validity) == CookieCheck::ok);
  CHECK(check_edit(key, *c, contents, t0 + edit_validity + 1) == CookieCheck::expired);
  CHECK(check_edit(key, *c, "changed", t0) == CookieCheck::forged);
}

TEST_CASE("moderation cookies: T.PID.H with action a and no time limit", "[ezmlm][cookie_addr]") {
  const std::vector<std::string> bad = {"", "1", "1.2", "1.2.", "1..abcdefghijklmnopabcd",
                                        ".2.abcdefghijklmnopabcd", "1.2.abcdefghijklmnopab",
                                        "1.2.abcdefghijklmnopabcd-x", "1.x.abcdefghijklmnopabcd"};
  for (const auto& s : bad) {
    INFO(s);
    CHECK_FALSE(parse_moderation(s));
  }
  std::string made = moderation_cookie(key, "1795536000", "4242");
  CHECK(made == "1795536000.4242." + cookie(key, "1795536000.4242", "", 'a'));
  auto c = parse_moderation(made);
  REQUIRE(c);
  CHECK(c->time == 1795536000u);
  CHECK(c->extra == "4242");
  CHECK(check_moderation(key, *c) == CookieCheck::ok);
  c->extra = "4243";
  CHECK(check_moderation(key, *c) == CookieCheck::forged);
}

TEST_CASE("bounce cookies: warn and probe, target required, 3e6 s", "[ezmlm][cookie_addr]") {
  const std::vector<std::string> bad = {"", "warn", "warn-", "warn-1.abcdefghijklmnopabcd",
                                        "probe-1.abcdefghijklmnopabcd-", "Warn-1.abcdefghijklmnopabcd-a=b",
                                        "warn-1.abcdefghijklmnopabc-a=b", "1-a=b"};
  for (const auto& s : bad) {
    INFO(s);
    CHECK_FALSE(parse_bounce(s));
  }
  for (char action : {'W', 'P'}) {
    INFO(action);
    std::string made = bounce_cookie(key, action, "box@dom.example", t0);
    CHECK(made.rfind(action == 'W' ? "warn-" : "probe-", 0) == 0);
    auto c = parse_bounce(made);
    REQUIRE(c);
    CHECK(c->action == action);
    CHECK(c->target == "box@dom.example");
    CHECK(check_bounce(key, *c, t0 + bounce_validity) == CookieCheck::ok);
    CHECK(check_bounce(key, *c, t0 + bounce_validity + 1) == CookieCheck::expired);
    c->target = "box@other.example";
    CHECK(check_bounce(key, *c, t0) == CookieCheck::forged);
  }
}

TEST_CASE("addresses carry the list name of the db and the host", "[ezmlm][cookie_addr]") {
  lettershop_test::TempDir tmp("ezmlm-cookie-addr");
  std::ofstream(tmp.path / "outlocal") << "list\n";
  std::ofstream(tmp.path / "outhost") << "example.test\n";
  Env env = Env::defaults();
  env.etc = (tmp.path / "etc").string();
  ListDir dir(tmp.path, env);
  CHECK_THROWS_AS(read_key(dir), mta::TempError);
  std::ofstream(tmp.path / "key") << key;
  CHECK(read_key(dir) == key);
  std::string a = confirm_address(dir, key, CookieDb::digest, 's', "u@x.org", t0);
  CHECK(a == "list-digest-" + confirm_cookie(key, CookieDb::digest, 's', "u@x.org", t0) + "@example.test");
  std::string b = bounce_address(dir, key, false, 'W', "u@x.org", t0);
  CHECK(b == "list-return-" + bounce_cookie(key, 'W', "u@x.org", t0) + "@example.test");
  CHECK(encode_target("a@b@c") == "a@b=c");
  CHECK(decode_target("a=b=c") == "a=b@c");
  CHECK(encode_target("none") == "none");
}
