// Unit tests: mta/core/control — QH/control files read the way qmail's
// control.c does: a value, absent (the default) or unreadable (TempError).
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mta/core/control.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
namespace control = mta::control;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lettershop-control-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, std::string_view contents) const {
    mta::io::replace_file(path / name, contents);
  }
};

}  // namespace

TEST_CASE("first_line keeps the first line, strips trailing space, tab, CR, keeps leading blanks") {
  struct Row {
    std::string input, want;
  };
  const Row rows[] = {
      {"", ""},
      {"\n", ""},
      {" \t\r\n", ""},
      {"mail.example.com", "mail.example.com"},
      {"mail.example.com\n", "mail.example.com"},
      {"mail.example.com \t\r\nsecond\n", "mail.example.com"},
      {"  leading\n", "  leading"},
      {"\tx y \n", "\tx y"},
      {"\nsecond line is ignored\n", ""},
      {"a\0b\n"s, "a\0b"s},          // NUL is data
      {"a\r\rb\r\n", "a\r\rb"},      // only trailing CRs go
      {"h\xc3\xa9st\n", "h\xc3\xa9st"},  // 8-bit kept
  };
  for (const auto& row : rows) {
    INFO("input: \"" << row.input << "\"");
    CHECK(control::first_line(row.input) == row.want);
  }
}

TEST_CASE("parse_number reads a leading unsigned decimal, anything else keeps the default") {
  struct Row {
    std::string input;
    std::optional<unsigned long> want;
  };
  const Row rows[] = {
      // Malformed: not starting with a digit.
      {"", std::nullopt},
      {"\n", std::nullopt},
      {" 10", std::nullopt},  // leading space is not skipped (qmail's scan_ulong)
      {"\t10", std::nullopt},
      {"-1", std::nullopt},
      {"+5", std::nullopt},
      {"x10", std::nullopt},
      {"\n10\n", std::nullopt},  // only the first line counts
      // Overflow keeps the default instead of wrapping.
      {"18446744073709551616", std::nullopt},
      {"99999999999999999999999999", std::nullopt},
      // Good, with trailing junk or whitespace ignored.
      {"0", 0},
      {"10", 10},
      {"10\n", 10},
      {"10 \t\r\n", 10},
      {"604800 seconds", 604800},
      {"007", 7},
      {"12abc", 12},
      {"18446744073709551615", 18446744073709551615UL},
      {"5\n6\n", 5},
  };
  for (const auto& row : rows) {
    INFO("input: \"" << row.input << "\"");
    CHECK(control::parse_number(row.input) == row.want);
  }
}

TEST_CASE("parse_list keeps every line but blank and #-lines, trailing space and tab stripped") {
  struct Row {
    std::string input;
    std::vector<std::string> want;
  };
  const Row rows[] = {
      {"", {}},
      {"\n\n\n", {}},
      {"# only a comment\n", {}},
      {" \t\n\t\n", {}},
      {"a.example\n", {"a.example"}},
      {"a.example", {"a.example"}},  // no final newline
      {"a.example \t\nb.example\n", {"a.example", "b.example"}},
      {"#c\na\n\n#d\nb\n", {"a", "b"}},
      {" #not a comment\n", {" #not a comment"}},  // '#' counts only in column one
      {"  lead\n", {"  lead"}},
      {"a#b\n", {"a#b"}},
      {"a\r\nb\r\n", {"a\r", "b\r"}},  // like qmail's control_readfile, CR is kept
      {"x\0y\n"s, {"x\0y"s}},
      {"dup\ndup\n", {"dup", "dup"}},
      {"\xff\n", {"\xff"}},
  };
  for (const auto& row : rows) {
    INFO("input: \"" << row.input << "\"");
    CHECK(control::parse_list(row.input) == row.want);
  }
}

TEST_CASE("Control reads line, number and list files: absent gives the default") {
  TempDir dir;
  control::Control c(dir.path);
  CHECK(c.dir() == dir.path);

  CHECK(c.line("me") == std::nullopt);
  CHECK(c.me() == std::nullopt);
  CHECK(c.number("concurrencylocal", 10) == 10);
  CHECK(c.list("rcpthosts") == std::nullopt);

  dir.write("me", "mail.example.test \n");
  dir.write("concurrencylocal", "42\n");
  dir.write("databytes", "lots\n");
  dir.write("timeoutsmtpd", " 5\n");
  dir.write("rcpthosts", "# relay for\nexample.test\n\n.example.test \n");
  dir.write("empty", "");

  CHECK(c.line("me") == "mail.example.test");
  CHECK(c.me() == "mail.example.test");
  CHECK(c.number("concurrencylocal", 10) == 42);
  CHECK(c.number("databytes", 7) == 7);     // not a number: default
  CHECK(c.number("timeoutsmtpd", 1200) == 1200);  // leading space: default
  CHECK(c.list("rcpthosts") == std::vector<std::string>{"example.test", ".example.test"});
  // Present but empty is a value, not absence.
  CHECK(c.line("empty") == "");
  CHECK(c.list("empty") == std::vector<std::string>{});
}

TEST_CASE("line_or_me falls back to me, then to the literal default") {
  TempDir dir;
  control::Control c(dir.path);
  CHECK(c.line_or_me("defaultdomain", "defaultdomain") == "defaultdomain");
  dir.write("me", "host.example\n");
  CHECK(c.line_or_me("defaultdomain", "defaultdomain") == "host.example");
  dir.write("defaultdomain", "example\n");
  CHECK(c.line_or_me("defaultdomain", "defaultdomain") == "example");
  // An empty me is still "me is set" (qmail's meok).
  dir.write("me", "");
  CHECK(c.line_or_me("plusdomain", "plusdomain") == "");
}

TEST_CASE("an unreadable control file is a temporary error, never the default") {
  TempDir dir;
  control::Control c(dir.path);
  // A directory where the file should be: open works, read fails (EISDIR).
  for (const char* name : {"me", "concurrencylocal", "rcpthosts"}) fs::create_directory(dir.path / name);
  CHECK_THROWS_AS(c.line("me"), mta::TempError);
  CHECK_THROWS_AS(c.me(), mta::TempError);
  CHECK_THROWS_AS(c.line_or_me("bouncehost", "bouncehost"), mta::TempError);
  CHECK_THROWS_AS(c.number("concurrencylocal", 10), mta::TempError);
  CHECK_THROWS_AS(c.list("rcpthosts"), mta::TempError);

  // The control directory is a regular file: ENOTDIR, not "absent".
  dir.write("notadir", "x");
  control::Control broken(dir.path / "notadir");
  CHECK_THROWS_AS(broken.line("me"), mta::TempError);
  CHECK_THROWS_AS(broken.number("queuelifetime", 604800), mta::TempError);
}

TEST_CASE("Control built from a Home reads QH/control") {
  TempDir dir;
  fs::create_directory(dir.path / "control");
  mta::io::replace_file(dir.path / "control" / "me", "from.home\n");
  control::Control c(mta::Home{dir.path});
  CHECK(c.dir() == dir.path / "control");
  CHECK(c.me() == "from.home");
}

TEST_CASE("known_controls has the defaults of reference section 13") {
  struct Row {
    std::string_view name;
    control::Kind kind;
    std::string_view fallback;
  };
  using K = control::Kind;
  const Row rows[] = {
      {"me", K::line, ""},
      {"badmailfrom", K::list, ""},
      {"bouncefrom", K::line, "MAILER-DAEMON"},
      {"bouncehost", K::line_me, "bouncehost"},
      {"concurrencylocal", K::number, "10"},
      {"concurrencyremote", K::number, "20"},
      {"databytes", K::number, "0"},
      {"defaultdomain", K::line_me, "defaultdomain"},
      {"defaulthost", K::line_me, "defaulthost"},
      {"doublebouncehost", K::line_me, "doublebouncehost"},
      {"doublebounceto", K::line, "postmaster"},
      {"envnoathost", K::line_me, "envnoathost"},
      {"helohost", K::line_me, ""},
      {"idhost", K::line_me, "idhost"},
      {"localiphost", K::line_me, ""},
      {"locals", K::list_me, ""},
      {"morercpthosts", K::source, ""},
      {"morercpthosts.cdb", K::cdb, ""},
      {"percenthack", K::list, ""},
      {"plusdomain", K::line_me, "plusdomain"},
      {"qmqpservers", K::list, ""},
      {"queuelifetime", K::number, "604800"},
      {"rcptcheck", K::line, "off"},  // Lettershop: qmail-smtpd(8)
      {"rcpthosts", K::list, ""},
      {"remoteport", K::number, "25"},  // Lettershop: qmail-remote(8)
      {"smtpgreeting", K::line_me, ""},
      {"smtproutes", K::list, ""},
      {"timeoutconnect", K::number, "60"},
      {"timeoutremote", K::number, "1200"},
      {"timeoutsmtpd", K::number, "1200"},
      {"tlsdestinations", K::list, ""},  // Lettershop: qmail-remote(8)
      {"virtualdomains", K::list, ""},
  };
  CHECK(control::known_controls().size() == std::size(rows));
  for (const auto& row : rows) {
    INFO("control/" << row.name);
    const control::Known* k = control::find_known(row.name);
    REQUIRE(k != nullptr);
    CHECK(k->name == row.name);
    CHECK(k->kind == row.kind);
    CHECK(k->fallback == row.fallback);
    CHECK_FALSE(k->description.empty());
    // Every numeric default parses as a number.
    if (k->kind == K::number) CHECK(control::parse_number(k->fallback).has_value());
  }
  CHECK(control::find_known("nosuchfile") == nullptr);
  CHECK(control::find_known("") == nullptr);
  CHECK(control::find_known("ME") == nullptr);  // file names are case-sensitive
}
