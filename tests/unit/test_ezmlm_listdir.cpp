// ListDir: the three-place lookup, getconf parsing, messages, subdirs,
// and the getconfopt command line.
#include <catch2/catch.hpp>

#include <fstream>

#include "ezmlm/lib/getconf.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"
#include "tmpdir.h"

using namespace ezmlm;
namespace fs = std::filesystem;

namespace {
using lettershop_test::put;

// A list dir, an alt dir (named by DIR/ezmlmrc) and an etc/default dir.
struct Places {
  lettershop_test::TempDir tmp{"ezmlm-listdir"};
  fs::path dir = tmp.path / "list", alt = tmp.path / "alt", etc = tmp.path / "etc";
  Env env = Env::defaults();
  Places() {
    fs::create_directories(dir);
    fs::create_directories(alt);
    fs::create_directories(etc / "default");
    put(dir / "ezmlmrc", alt.string() + "\n");
    env.etc = etc.string();
  }
};
}  // namespace

TEST_CASE("getconf drops blank and # lines and trailing blanks", "[ezmlm][getconf]") {
  struct Row { std::string in; std::vector<std::string> want; };
  const std::vector<Row> rows = {
      {"", {}},
      {"\n\n\t \n", {}},
      {"#only comment\n", {}},
      {std::string("a\0b\n", 4), {std::string("a\0b", 3)}},
      {"one", {"one"}},
      {"one  \t\ntwo\n", {"one", "two"}},
      {" lead\n#x\n\nx # not a comment\n", {" lead", "x # not a comment"}},
      {"last-without-newline\nend", {"last-without-newline", "end"}},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(getconf_lines(r.in) == r.want);
  }
  CHECK(getconf_first("#c\n\n  x  \ny\n") == "  x");
  CHECK_FALSE(getconf_first("#c\n\n").has_value());
}

TEST_CASE("text/messages entries parse as NAME:text", "[ezmlm][getconf]") {
  auto m = parse_messages("#c\nnocolon\n:empty name\nA:one\nB: two: three \nA:again\n");
  CHECK(m.size() == 2);
  CHECK(m["A"] == "again");
  CHECK(m["B"] == " two: three");
}

TEST_CASE("files are found in DIR, then the alt dir, then EZMLM_ETC/default", "[ezmlm][listdir]") {
  Places p;
  put(p.etc / "default" / "charset", "default-cs\n");
  put(p.etc / "default" / "text" / "top", "default top\n");
  put(p.etc / "default" / "headeradd", "X-Default: 1\n");
  put(p.alt / "charset", "alt-cs\n");
  put(p.alt / "text" / "top", "alt top\n");
  put(p.dir / "charset", "list-cs:Q\n");
  ListDir d(p.dir, p.env);
  CHECK(d.alt() == p.alt.string());
  CHECK(d.charset() == "list-cs:Q");
  CHECK(d.charset_name() == "list-cs");
  CHECK(d.charset_encoding() == 'Q');
  CHECK(d.text("top") == "alt top\n");
  CHECK(d.lines("headeradd") == std::vector<std::string>{"X-Default: 1"});
  CHECK_FALSE(d.read("nosuchfile").has_value());
  CHECK(d.lines("nosuchfile").empty());
  CHECK_THROWS_AS(d.text("nosuch"), mta::PermError);

  fs::remove(p.dir / "charset");
  CHECK(ListDir(p.dir, p.env).charset() == "alt-cs");
  fs::remove(p.alt / "charset");
  CHECK(ListDir(p.dir, p.env).charset() == "default-cs");
  fs::remove(p.etc / "default" / "charset");
  CHECK(ListDir(p.dir, p.env).charset() == "us-ascii");
}

TEST_CASE("a list without ezmlmrc skips the alt place", "[ezmlm][listdir]") {
  Places p;
  fs::remove(p.dir / "ezmlmrc");
  put(p.alt / "text" / "top", "alt top\n");
  put(p.etc / "default" / "text" / "top", "default top\n");
  ListDir d(p.dir, p.env);
  CHECK(d.alt().empty());
  CHECK(d.text("top") == "default top\n");
}

TEST_CASE("a missing list directory is a temporary error", "[ezmlm][listdir]") {
  Places p;
  CHECK_THROWS_AS(ListDir(p.dir / "nope", p.env), mta::TempError);
  put(p.tmp.path / "file", "x");
  CHECK_THROWS_AS(ListDir(p.tmp.path / "file", p.env), mta::TempError);
}

TEST_CASE("outlocal, outhost, numbers and header-mode tags", "[ezmlm][listdir]") {
  Places p;
  ListDir d(p.dir, p.env);
  CHECK_THROWS_AS(d.outlocal(), mta::TempError);
  put(p.dir / "outlocal", "list\n");
  put(p.dir / "outhost", "example.test\n");
  put(p.dir / "msgsize", "30000:2\n");
  put(p.dir / "digcount", "#x\n 17\n");
  put(p.dir / "headeradd", "Sender: <<#l#>@<#h#>>\n\n<#n#>\nX-Unknown: <#Q#>end\n");
  CHECK(d.outlocal() == "list");
  CHECK(d.outhost() == "example.test");
  CHECK(d.number("msgsize") == 30000u);
  CHECK_FALSE(d.number("digcount").has_value());  // " 17" is not a number to from_chars
  CHECK_FALSE(d.number("absent").has_value());
  auto tags = d.list_tags();
  CHECK(d.lines("headeradd", &tags) ==
        std::vector<std::string>{"Sender: <list@example.test>", "?????", "X-Unknown: end"});
  put(p.dir / "headeradd", "X-Target: <#A#>\n");
  CHECK_THROWS_AS(d.lines("headeradd", &tags), mta::TempError);
}

TEST_CASE("messages merge local, alt, default and the compiled table", "[ezmlm][listdir]") {
  Places p;
  put(p.etc / "default" / "text" / "messages", "ERR_OPEN:default open <#1#>\nONLY_DEFAULT:d\nX:default\n");
  put(p.alt / "text" / "messages", "X:alt\nONLY_ALT:a\n");
  put(p.dir / "text" / "messages", "ERR_OPEN:local open <#1#> <#2#>\n");
  ListDir d(p.dir, p.env);
  CHECK(d.message("ERR_OPEN", {"f", "g"}) == "local open f g");
  CHECK(d.message("X") == "alt");
  CHECK(d.message("ONLY_DEFAULT") == "d");
  CHECK(d.message("ONLY_ALT") == "a");
  CHECK(d.message("ERR_NOSENDER") == "SENDER not set");  // compiled fallback
  CHECK(d.message("NO_SUCH_ENTRY") == "NO_SUCH_ENTRY");
}

TEST_CASE("subdir arguments stay inside the list", "[ezmlm][listdir]") {
  Places p;
  ListDir d(p.dir, p.env);
  std::string abs = fs::absolute(p.dir).string();
  struct Row { std::string in; std::optional<std::string> want; };
  const std::vector<Row> rows = {
      {"..", std::nullopt},
      {"a/b", std::nullopt},
      {"../list", std::nullopt},
      {"/etc", std::nullopt},
      {abs + "/../other", std::nullopt},
      {abs + "x/digest", std::nullopt},
      {"", ""},
      {".", ""},
      {abs, ""},
      {abs + "/", ""},
      {"digest", "digest"},
      {"allow/", "allow"},
      {abs + "/mod", "mod"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    if (r.want) CHECK(d.subdir(r.in) == *r.want);
    else CHECK_THROWS_AS(d.subdir(r.in), mta::TempError);
  }
}

namespace {
CommandLine parse(std::vector<std::string> args, std::string_view spec) {
  std::vector<char*> argv;
  static std::string prog = "ezmlm-test";
  argv.push_back(prog.data());
  for (auto& a : args) argv.push_back(a.data());
  return parse_command_line(int(argv.size()), argv.data(), spec);
}
}  // namespace

TEST_CASE("command lines follow getconfopt", "[ezmlm][options]") {
  CHECK_THROWS_AS(parse({"-x", "dir"}, "nNh:"), mta::UsageError);
  CHECK_THROWS_AS(parse({"-h"}, "nNh:"), mta::UsageError);
  CHECK_THROWS_AS(parse({"-:"}, "nNh:"), mta::UsageError);
  try {
    parse({"-n", "-V", "dir"}, "nNvV");
    FAIL("no exit");
  } catch (const mta::ExitError& e) {
    CHECK(e.exit_code() == 0);
  }

  auto cl = parse({"-nN", "-h5", "-h", "-7", "dir", "-n", "x"}, "nNh:");
  CHECK(cl.operands == std::vector<std::string>{"dir", "-n", "x"});
  CHECK(cl.last('h') == "-7");
  CHECK(cl.last_of("nN", '?') == 'N');
  CHECK(cl.has('n'));

  CHECK(parse({"-", "-n"}, "nN").operands == std::vector<std::string>{"-n"});
  CHECK(parse({"--", "-n"}, "nN").operands == std::vector<std::string>{"-n"});
  CHECK(parse({"-n", "--", "--"}, "nN").operands == std::vector<std::string>{"--"});
  CHECK(parse({}, "nN").operands.empty());
  CHECK(version_text().rfind("ezmlm-idx-7.2.2 (Lettershop ", 0) == 0);
}

TEST_CASE("numeric option values: digits only, bounded", "[ezmlm][options]") {
  for (const char* bad : {"", "x", "1x", "-1", " 1", "99999999999999999999999"}) {
    INFO(bad);
    CHECK_THROWS_AS(ezmlm::number_value('t', std::string(bad)), mta::UsageError);
  }
  CHECK_THROWS_AS(ezmlm::number_value('t', std::nullopt), mta::UsageError);
  CHECK_THROWS_AS(ezmlm::number_value('t', std::string("1000"), 999), mta::UsageError);
  CHECK(ezmlm::number_value('t', std::string("0")) == 0);
  CHECK(ezmlm::number_value('t', std::string("999"), 999) == 999);
}
