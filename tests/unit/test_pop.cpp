// Unit tests for mta/pop: the POP3 command parser, the RETR/TOP encoder,
// vcheckpassword's pieces and splogger's formatting.
#include <crypt.h>
#include <syslog.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "filters/vuser.h"
#include "mta/core/exitcodes.h"
#include "mta/pop/pop3_command.h"
#include "mta/pop/pop3d.h"
#include "mta/pop/popup.h"
#include "mta/pop/splog.h"
#include "mta/pop/vcheckpw.h"
#include "tests/unit/tmpdir.h"

using namespace std::string_literals;
using mta::pop::Command;

TEST_CASE("pop3 parse_command: malformed lines first, then good ones") {
  struct Row {
    std::string line;
    std::string error;  // empty: parses
    Command want;
  };
  const Row rows[] = {
      {"USER a\0b\r\n"s, "syntax error", {}},
      {"\0\r\n"s, "syntax error", {}},
      {"PASS secret\0\r\n"s, "syntax error", {}},
      {"\r\n", "", {"", ""}},
      {"\n", "", {"", ""}},
      {"", "", {"", ""}},
      {" USER bob\r\n", "", {"", "USER bob"}},
      {"user bob\r\n", "", {"USER", "bob"}},
      {"USER   bob smith\r\n", "", {"USER", "bob smith"}},
      {"PASS  a b \r\n", "", {"PASS", "a b "}},
      {"TOP 1 10\n", "", {"TOP", "1 10"}},
      {"StAt\r\n", "", {"STAT", ""}},
      {"STAT \r\n", "", {"STAT", ""}},
      {"NOOP\r\r\n", "", {"NOOP\r", ""}},
      {"CAPA", "", {"CAPA", ""}},
      {"\xc3\xa9t\xc3\xa9 x\r\n", "", {"\xc3\xa9T\xc3\xa9", "x"}},
  };
  for (const Row& r : rows) {
    INFO("line: " << r.line);
    auto p = mta::pop::parse_command(r.line);
    if (!r.error.empty()) {
      CHECK_FALSE(p.command);
      CHECK(p.error == r.error);
    } else {
      REQUIRE(p.command);
      CHECK(*p.command == r.want);
    }
  }
}

TEST_CASE("pop3 parse_number") {
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x1", "1234567890", "１"}) {
    INFO(bad);
    CHECK_FALSE(mta::pop::parse_number(bad));
  }
  CHECK(mta::pop::parse_number("0") == 0UL);
  CHECK(mta::pop::parse_number("007") == 7UL);
  CHECK(mta::pop::parse_number("999999999") == 999999999UL);
}

namespace {
std::string blast(std::string_view message, std::optional<unsigned long> limit = std::nullopt,
                  std::size_t chunk = 0) {
  mta::pop::Blaster b(limit);
  std::string out;
  if (chunk == 0) chunk = message.size() + 1;
  for (std::size_t i = 0; i < message.size(); i += chunk)
    if (!b.feed(message.substr(i, chunk), out)) break;
  b.finish(out);
  return out;
}
}  // namespace

TEST_CASE("pop3 Blaster: CRLF, dot-stuffing, TOP limits, any chunking") {
  struct Row {
    std::string in;
    std::optional<unsigned long> limit;
    std::string want;
  };
  const Row rows[] = {
      {"", std::nullopt, ".\r\n"},
      {"no newline", std::nullopt, "no newline\r\n.\r\n"},
      {"a\nb\n", std::nullopt, "a\r\nb\r\n.\r\n"},
      {"a\r\nb\r\n", std::nullopt, "a\r\nb\r\n.\r\n"},
      {".\n..x\n.", std::nullopt, "..\r\n...x\r\n..\r\n.\r\n"},
      {"a\rb\n", std::nullopt, "a\rb\r\n.\r\n"},
      {"H: 1\n\nb1\nb2\nb3\n", 0UL, "H: 1\r\n\r\n.\r\n"},
      {"H: 1\n\nb1\nb2\nb3\n", 2UL, "H: 1\r\n\r\nb1\r\nb2\r\n.\r\n"},
      {"H: 1\r\n\r\n.b1\r\nb2\r\n", 1UL, "H: 1\r\n\r\n..b1\r\n.\r\n"},
      {"H: 1\n\nb1\n", 9UL, "H: 1\r\n\r\nb1\r\n.\r\n"},
      {"H: only header", 3UL, "H: only header\r\n.\r\n"},
  };
  for (const Row& r : rows) {
    for (std::size_t chunk : {0, 1, 2, 3}) {
      INFO("in: " << r.in << " chunk " << chunk);
      CHECK(blast(r.in, r.limit, chunk) == r.want);
    }
  }
}

TEST_CASE("pop3 scan_maildir: oldest first, UIDs without flags, dot files skipped") {
  lettershop_test::TempDir t("pop");
  for (const char* d : {"tmp", "new", "cur"}) std::filesystem::create_directory(t.path / d);
  std::ofstream(t.path / "new" / "200.b.host") << "12345";
  std::ofstream(t.path / "cur" / "100.a.host:2,S") << "1";
  std::ofstream(t.path / "new" / ".hidden") << "x";
  using namespace std::chrono_literals;
  std::filesystem::last_write_time(t.path / "cur" / "100.a.host:2,S",
                                   std::filesystem::file_time_type::clock::now() - 1h);
  auto m = mta::pop::scan_maildir(t.path);
  REQUIRE(m.size() == 2);
  CHECK(m[0].path == "cur/100.a.host:2,S");
  CHECK(m[0].uid == "100.a.host");
  CHECK(m[0].size == 1);
  CHECK(m[1].path == "new/200.b.host");
  CHECK(m[1].uid == "200.b.host");
  CHECK(m[1].size == 5);
  CHECK_THROWS_AS(mta::pop::scan_maildir(t.path / "missing"), mta::TempError);
}

TEST_CASE("pop3 apop_timestamp") {
  CHECK(mta::pop::apop_timestamp(1896, 697170952, "dbc.mtview.ca.us") == "<1896.697170952@dbc.mtview.ca.us>");
}

TEST_CASE("vcheckpassword parse_auth_data: malformed first") {
  for (std::string bad : {""s, "bob"s, "bob\0"s, "\0pw\0"s, "bob\0pw"s}) {
    INFO(bad);
    CHECK_FALSE(mta::pop::parse_auth_data(bad));
  }
  auto a = mta::pop::parse_auth_data("bob@d.com\0pw\0<1.2@h>\0"s);
  REQUIRE(a);
  CHECK(a->login == "bob@d.com");
  CHECK(a->password == "pw");
  CHECK(a->timestamp == "<1.2@h>");
  auto b = mta::pop::parse_auth_data("bob\0\0"s);
  REQUIRE(b);
  CHECK(b->password.empty());
}

TEST_CASE("vcheckpassword equal_constant_time and password_matches") {
  CHECK(mta::pop::equal_constant_time("", ""));
  CHECK(mta::pop::equal_constant_time("abc", "abc"));
  CHECK_FALSE(mta::pop::equal_constant_time("abc", "abd"));
  CHECK_FALSE(mta::pop::equal_constant_time("abc", "ab"));
  for (const char* prefix : {"$y$", "$6$"}) {
    INFO(prefix);
    const char* setting = ::crypt_gensalt(prefix, 0, nullptr, 0);
    REQUIRE(setting);
    const std::string hash = ::crypt(" pass word", setting);
    CHECK(mta::pop::password_matches(" pass word", hash));
    CHECK_FALSE(mta::pop::password_matches("pass word", hash));
    CHECK_FALSE(mta::pop::password_matches("", hash));
  }
  for (const char* locked : {"", "*", "!", "!$6$x$y", "x"}) {
    INFO(locked);
    CHECK_FALSE(mta::pop::password_matches("", locked));
    CHECK_FALSE(mta::pop::password_matches("x", locked));
  }
}

TEST_CASE("vcheckpassword check_login: unsafe logins fail, both layouts work") {
  lettershop_test::TempDir t("vcheckpw");
  // check_login refuses uid 0 and does not switch users: any other uid will do.
  const uid_t uid = ::getuid() == 0 ? 65534 : ::getuid();
  const gid_t gid = ::getgid() == 0 ? 65534 : ::getgid();
  const std::string hash = ::crypt("pw", ::crypt_gensalt("$y$", 0, nullptr, 0));
  auto line = [&](const std::string& name, const std::string& home) {
    return name + ":" + hash + ":" + std::to_string(uid) + ":" + std::to_string(gid) + "::" + home + ":\n";
  };
  std::filesystem::create_directories(t.path / "a.test" / "etc");
  std::filesystem::create_directories(t.path / "a.test" / "users" / "bob");
  std::filesystem::create_directories(t.path / "outside");
  std::ofstream(t.path / "a.test" / "etc" / "passwd")
      << line("bob", (t.path / "a.test" / "users" / "bob").string()) << line("eve", (t.path / "outside").string())
      << line("mal", (t.path / "a.test" / "users" / ".." / ".." / "outside").string());
  std::filesystem::create_directories(t.path / "b.test" / "bob");
  std::ofstream(t.path / "b.test" / "vpasswd") << line("bob", "bob");
  // vpopmail's compiled form (vuserdb): the cdb wins over the text file.
  std::filesystem::create_directories(t.path / "c.test" / "ann");
  std::ofstream(t.path / "c.test" / "vpasswd") << line("old", "ann");
  filters::vuser::build_cdb(line("ann", "ann"), t.path / "c.test" / "vpasswd.cdb");

  for (const char* bad : {"bob", "bob@", "@a.test", "bob@a.test/../b.test", "../a.test/bob@a.test", "bob@..",
                          "bob@a..test", "bob/x@a.test", "bob@nosuch.test", "carol@a.test", "bob\n@a.test"}) {
    INFO(bad);
    CHECK_FALSE(mta::pop::check_login(t.path, bad, "pw"));
  }
  CHECK_FALSE(mta::pop::check_login(t.path, "bob@a.test", "wrong"));
  auto a = mta::pop::check_login(t.path, "BOB@A.Test", "pw");
  REQUIRE(a);
  CHECK(a->address == "bob@a.test");
  CHECK(a->home == std::filesystem::canonical(t.path / "a.test" / "users" / "bob"));
  CHECK(a->uid == uid);
  auto b = mta::pop::check_login(t.path, "bob@b.test", "pw");
  REQUIRE(b);
  CHECK(b->home == std::filesystem::canonical(t.path / "b.test" / "bob"));
  auto c = mta::pop::check_login(t.path, "ann@c.test", "pw");
  REQUIRE(c);
  CHECK(c->home == std::filesystem::canonical(t.path / "c.test" / "ann"));
  CHECK_FALSE(mta::pop::check_login(t.path, "old@c.test", "pw"));
  // Homes outside the domain: refused as trouble, never served.
  CHECK_THROWS_AS(mta::pop::check_login(t.path, "eve@a.test", "pw"), mta::TempError);
  CHECK_THROWS_AS(mta::pop::check_login(t.path, "mal@a.test", "pw"), mta::TempError);
}

TEST_CASE("splogger formatting") {
  using mta::pop::LogRecord;
  CHECK(mta::pop::splog_stamp(812345678, 123456) == "812345678.123456");
  CHECK(mta::pop::splog_stamp(5, 7) == "5.000007");
  CHECK(mta::pop::splog_format("", "1.000000").empty());
  CHECK(mta::pop::splog_format("status: local 0/10", "1.000000") ==
        std::vector<LogRecord>{{LOG_INFO, "1.000000 status: local 0/10"}});
  CHECK(mta::pop::splog_format("warning: x\t\x01\xff", "1.000000") ==
        std::vector<LogRecord>{{LOG_WARNING, "1.000000 warning: x???"}});
  CHECK(mta::pop::splog_format("alert: oops", "2.000000") == std::vector<LogRecord>{{LOG_ALERT, "2.000000 alert: oops"}});
  CHECK(mta::pop::splog_format(" warning: not at start", "2.000000")[0].priority == LOG_INFO);
  const std::string long_line = "alert:" + std::string(1000, 'x');
  auto recs = mta::pop::splog_format(long_line, "3.000000");
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].text == "3.000000 " + long_line.substr(0, 799));
  CHECK(recs[1].text == "3.000000+" + long_line.substr(799));
  CHECK(recs[1].priority == LOG_ALERT);
  CHECK(mta::pop::splog_format("abc", "4.0", true) == std::vector<LogRecord>{{LOG_INFO, "4.0+abc"}});
  CHECK(mta::pop::splog_facility(nullptr) == LOG_MAIL);
  CHECK(mta::pop::splog_facility("3") == LOG_DAEMON);
  CHECK_THROWS_AS(mta::pop::splog_facility("24"), mta::UsageError);
  CHECK_THROWS_AS(mta::pop::splog_facility("mail"), mta::UsageError);
}
