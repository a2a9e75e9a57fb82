// Unit tests: mta/local/users — users/assign compilation (qmail-newu's key
// and value layout), users/cdb lookup precedence, qmail-getpw's candidate
// rules and qmail-pw2u's output.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/local/users.h"

using namespace std::string_literals;
namespace users = mta::users;

TEST_CASE("assign: malformed files are refused with the line number") {
  struct Row { std::string text; std::size_t line; };
  const Row rows[] = {
      {"", 1},                                              // no "." line at all
      {"=joe:joe:1:1:/h:::\n", 2},                          // missing "." line
      {"=joe:joe:1:1:/h:::", 1},                            // no final newline
      {"=jo\0e:joe:1:1:/h:::\n.\n"s, 1},                    // NUL
      {"=joe\n.\n", 1},                                     // no colon
      {":joe:1:1:/h:::\n.\n", 1},                           // colon first
      {"=joe:joe:1:1:/h::\n.\n", 1},                        // five colons only
      {"=a:a:1:1:/a:::\n+b:b:1:1\n.\n", 2},                 // second line short
  };
  for (const auto& row : rows) {
    INFO("assign: " << row.text);
    try {
      users::compile_assign(row.text);
      FAIL("accepted");
    } catch (const users::AssignFormatError& e) {
      CHECK(e.line() == row.line);
    }
  }
}

TEST_CASE("assign: key and value layout of qmail-newu") {
  auto r = users::compile_assign(
      "=Joe:joe:507:100:/home/joe:::\n"
      "+joe-:joe:507:100:/home/joe:-::ignored:after\n"
      "+:alias:7790:2108:/var/qmail/alias:-::\n"
      "+Lists.:list:9:9:/l:-:x:\n"
      ".\n"
      "=after:the:dot:line:is:::\n");
  REQUIRE(r.size() == 5);
  CHECK(r[0].first == "!joe\0"s);
  CHECK(r[0].second == "joe\0" "507\0" "100\0/home/joe\0\0"s);
  CHECK(r[1].first == "!joe-");
  CHECK(r[1].second == "joe\0" "507\0" "100\0/home/joe\0-\0"s);
  CHECK(r[2].first == "!");
  CHECK(r[3].first == "!lists.");
  CHECK(r[3].second == "list\0" "9\0" "9\0/l\0-\0x"s);
  CHECK(r[4].first.empty());
  CHECK(r[4].second == "-.");  // wildchars: last characters of non-empty prefixes
}

TEST_CASE("assign: a '.' line without a newline still ends the file") {
  auto r = users::compile_assign("=a:a:1:1:/a:::\n.");
  REQUIRE(r.size() == 2);
}

namespace {
users::CdbFind finder(const users::Records& records, std::vector<std::string>* probes = nullptr) {
  return [records, probes](std::string_view key) -> std::optional<std::string> {
    if (probes) probes->emplace_back(key);
    for (const auto& [k, v] : records)
      if (k == key) return v;  // first record wins, as cdb
    return std::nullopt;
  };
}
}  // namespace

TEST_CASE("lookup: simple beats longer wildcard beats shorter") {
  auto records = users::compile_assign(
      "+:alias:1:1:/alias:-::\n"
      "+joe-:joe:2:2:/joe:-::\n"
      "+joe-list-:list:3:3:/list:-:x-:\n"
      "=joe-list-info:info:4:4:/info:::\n"
      "=joe-list-info:dup:5:5:/dup:::\n"
      ".\n");
  auto find = finder(records);
  struct Row { std::string local; users::Assignment want; };
  const Row rows[] = {
      {"Joe-List-Info", {"info", "4", "4", "/info", "", ""}},           // simple, first line wins
      {"joe-list-Archive", {"list", "3", "3", "/list", "-", "x-Archive"}},  // longer prefix, case kept
      {"joe-sos", {"joe", "2", "2", "/joe", "-", "sos"}},
      {"joe-", {"joe", "2", "2", "/joe", "-", ""}},                     // the prefix itself
      {"Fred", {"alias", "1", "1", "/alias", "-", "Fred"}},             // catch-all
  };
  for (const auto& row : rows) {
    INFO("local: " << row.local);
    auto got = users::lookup_cdb(row.local, find);
    REQUIRE(got);
    CHECK(*got == row.want);
  }
}

TEST_CASE("lookup: wildchars gate the prefix probes; no catch-all means not found") {
  auto records = users::compile_assign("+joe-:joe:2:2:/joe:-::\n.\n");
  std::vector<std::string> probes;
  auto find = finder(records, &probes);
  CHECK_FALSE(users::lookup_cdb("joe", find));
  // "", exact "!joe\0", then only the empty prefix "!" ("j", "jo", "joe" do not end in '-').
  CHECK(probes == std::vector<std::string>{"", "!joe\0"s, "!"});
  CHECK(users::lookup_cdb("joe-x", find)->ext == "x");
}

TEST_CASE("lookup: a record without six fields is a cdb problem") {
  users::Records bad{{"!joe\0"s, "joe\0" "1"s}};
  CHECK_THROWS_AS(users::lookup_cdb("joe", finder(bad)), mta::TempError);
}

TEST_CASE("getpw: candidates longest first, cut at the break character") {
  CHECK(users::getpw_candidates("a-b-c") == std::vector<std::string_view>{"a-b-c", "a-b", "a"});
  CHECK(users::getpw_candidates("abc") == std::vector<std::string_view>{"abc"});
  CHECK(users::getpw_candidates("a+b", '+') == std::vector<std::string_view>{"a+b", "a"});
}

TEST_CASE("getpw: account rules (lower case, uid 0, home owner, length) and the alias fallback") {
  std::map<std::string, mta::accounts::Account> db{
      {"fred", {"fred", 1001, 100, "/home/fred"}},
      {"root", {"root", 0, 0, "/root"}},
      {"stray", {"stray", 1002, 100, "/home/stray"}},      // home owned by someone else
      {"nohome", {"nohome", 1003, 100, "/nonexistent"}},
      {"alias", {"alias", 7790, 2108, "/var/qmail/alias"}},
      {std::string(32, 'l'), {std::string(32, 'l'), 1004, 100, "/home/long"}},
  };
  std::map<std::string, uid_t> homes{{"/home/fred", 1001}, {"/root", 0}, {"/home/stray", 1},
                                     {"/var/qmail/alias", 7790}, {"/home/long", 1004}};
  users::GetpwEnv env;
  env.account = [&](std::string_view n) -> std::optional<mta::accounts::Account> {
    auto it = db.find(std::string(n));
    if (it == db.end()) return std::nullopt;
    return it->second;
  };
  env.home_owner = [&](const std::string& d) -> std::optional<uid_t> {
    auto it = homes.find(d);
    if (it == homes.end()) return std::nullopt;
    return it->second;
  };
  struct Row { std::string local; users::Assignment want; };
  const Row rows[] = {
      {"fred", {"fred", "1001", "100", "/home/fred", "", ""}},
      {"Fred", {"fred", "1001", "100", "/home/fred", "", ""}},
      {"fred-Sos", {"fred", "1001", "100", "/home/fred", "-", "Sos"}},
      {"fred-a-b", {"fred", "1001", "100", "/home/fred", "-", "a-b"}},
      {"root", {"alias", "7790", "2108", "/var/qmail/alias", "-", "root"}},
      {"stray", {"alias", "7790", "2108", "/var/qmail/alias", "-", "stray"}},
      {"nohome", {"alias", "7790", "2108", "/var/qmail/alias", "-", "nohome"}},
      {std::string(32, 'l'), {"alias", "7790", "2108", "/var/qmail/alias", "-", std::string(32, 'l')}},
      {"help", {"alias", "7790", "2108", "/var/qmail/alias", "-", "help"}},
  };
  for (const auto& row : rows) {
    INFO("local: " << row.local);
    auto got = users::getpw(row.local, env);
    REQUIRE(got);
    CHECK(*got == row.want);
  }
  env.allow_root = true;  // a sandbox owned by root
  CHECK(users::getpw("root", env)->user == "root");
  db.erase("alias");
  CHECK_FALSE(users::getpw("help", env));
}

TEST_CASE("getpw output: six NUL-ended fields, both ways") {
  users::Assignment a{"fred", "1001", "100", "/home/fred", "-", "sos"};
  std::string text = users::format_getpw(a);
  CHECK(text == "fred\0" "1001\0" "100\0/home/fred\0-\0sos\0"s);
  CHECK(users::parse_fields(text) == a);
  CHECK_FALSE(users::parse_fields("a\0b\0c\0d\0e\0"s));
  CHECK_FALSE(users::parse_fields("a\0b\0c\0d\0e\0f\0g\0"s));
  CHECK_FALSE(users::parse_fields("a\0b\0c\0d\0e\0f"s));
}

namespace {
std::optional<uid_t> owner_from_path(const std::string& dir) {
  // "/home/<uid>" is owned by <uid>; anything else is missing.
  if (dir.rfind("/home/", 0) != 0) return std::nullopt;
  return static_cast<uid_t>(std::stoul(dir.substr(6)));
}
}  // namespace

TEST_CASE("pw2u: users, mailnames, subusers, append and the alias line") {
  std::string passwd =
      "root:x:0:0::/home/0:/bin/sh\n"
      "joe:x:507:100:Joe:/home/507:/bin/sh\n"
      "Upper:x:508:100::/home/508:/bin/sh\n"
      "short:x:509:100::/home/509\n"
      "stray:x:510:100::/home/1:/bin/sh\n"
      "gone:x:511:100::/nowhere:/bin/sh\n"
      "excl:x:512:100::/home/512:/bin/sh\n"
      "alias:x:7790:2108::/home/7790:/bin/sh\n";
  users::Pw2uFiles files;
  files.exclude = "excl\n";
  files.mailnames = "# comment\njoe:joe:Joe.Smith\n";
  files.subusers = "sos:joe:help:\n";
  files.append = "=extra:x:1:1:/x:::\n";
  users::Pw2uOptions o;
  std::string out = users::pw2u(passwd, o, files, owner_from_path);
  CHECK(out ==
        "=joe:joe:507:100:/home/507:::\n"
        "+joe-:joe:507:100:/home/507:-::\n"
        "=Joe.Smith:joe:507:100:/home/507:::\n"
        "+Joe.Smith-:joe:507:100:/home/507:-::\n"
        "=alias:alias:7790:2108:/home/7790:::\n"
        "+alias-:alias:7790:2108:/home/7790:-::\n"
        "+:alias:7790:2108:/home/7790:-::\n"
        "=sos:joe:507:100:/home/507:-:help:\n"
        "+sos-:joe:507:100:/home/507:-:help-:\n"
        "=extra:x:1:1:/x:::\n"
        ".\n");

  SECTION("-C -u -H -/") {
    o.brk = '\0';
    o.allow_upper = true;
    o.home = users::Pw2uOptions::HomeCheck::none;
    o.dash = "-/";
    files = {};
    out = users::pw2u(passwd, o, files, owner_from_path);
    CHECK(out ==
          "=joe:joe:507:100:/home/507:::\n"
          "=Upper:Upper:508:100:/home/508:::\n"
          "=stray:stray:510:100:/home/1:::\n"
          "=gone:gone:511:100:/nowhere:::\n"
          "=excl:excl:512:100:/home/512:::\n"
          "=alias:alias:7790:2108:/home/7790:::\n"
          "+:alias:7790:2108:/home/7790:-/::\n"
          ".\n");
  }
  SECTION("include and -c") {
    files = {};
    files.include = "alias\n";
    o.brk = '+';
    out = users::pw2u(passwd, o, files, owner_from_path);
    CHECK(out ==
          "=alias:alias:7790:2108:/home/7790:::\n"
          "+alias+:alias:7790:2108:/home/7790:-::\n"
          "+:alias:7790:2108:/home/7790:-::\n"
          ".\n");
  }
}

TEST_CASE("pw2u: the fatal cases") {
  users::Pw2uFiles files;
  users::Pw2uOptions o;
  CHECK_THROWS_AS(users::pw2u("joe:x:507:100::/home/507:/bin/sh\n", o, files, owner_from_path), mta::TempError);
  files.subusers = "sos:nobody:x:\n";
  CHECK_THROWS_AS(users::pw2u("alias:x:7:7::/home/7:\n", o, files, owner_from_path), mta::TempError);
  files = {};
  o.home = users::Pw2uOptions::HomeCheck::abort_missing;
  CHECK_THROWS_AS(users::pw2u("gone:x:5:5::/nowhere:\nalias:x:7:7::/home/7:\n", o, files, owner_from_path),
                  mta::TempError);
  o.home = users::Pw2uOptions::HomeCheck::skip_bad;
  CHECK(users::pw2u("gone:x:5:5::/nowhere:\nalias:x:7:7::/home/7:\n", o, files, owner_from_path) ==
        "=alias:alias:7:7:/home/7:::\n+alias-:alias:7:7:/home/7:-::\n+:alias:7:7:/home/7:-::\n.\n");
}
