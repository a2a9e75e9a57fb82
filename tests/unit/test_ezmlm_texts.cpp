// Run-time tags and ezmlm's copy(): known, unknown and unset tags, header
// mode, <=flags=> sections and the legacy !A/!R lines.
#include <catch2/catch.hpp>

#include "ezmlm/lib/texts.h"
#include "mta/core/exitcodes.h"

using namespace ezmlm;

TEST_CASE("expand replaces tags, deletes unknown ones, marks unset ones", "[ezmlm][texts]") {
  TagValues t;
  t.set('l', "list").set('h', "example.test").set('A', "joe@x.example");
  struct Row { const char* in; const char* want; };
  const Row rows[] = {
      {"<#", "<#"},
      {"<#l#", "<#l#"},
      {"<#l >", "<#l >"},
      {"<##l#>", "<##l#>"},
      {"", ""},
      {"<#l#>@<#h#>", "list@example.test"},
      {"to <#A#>.", "to joe@x.example."},
      {"n=<#n#>", "n=?????"},
      {"q=<#Q#>|", "q=|"},
      {"<#l#><#l#>", "listlist"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(expand(r.in, t) == r.want);
  }
}

TEST_CASE("header mode drops blank lines and refuses target tags", "[ezmlm][texts]") {
  TagValues t;
  t.set('l', "list");
  CHECK(expand("A: <#l#>\n\n \nB: 1\n", t, ExpandMode::header) == "A: list\nB: 1\n");
  CHECK_THROWS_AS(expand("X: <#A#>\n", t, ExpandMode::header), mta::TempError);
  CHECK_THROWS_AS(expand("X: <#t#>\n", t, ExpandMode::header), mta::TempError);
}

TEST_CASE("render_text prints sections by flags and the legacy lines", "[ezmlm][texts]") {
  TagValues t;
  t.set('A', "joe@x.example").set('R', "list-sc.1.abc-joe=x.example@example.test").set('l', "list");
  auto on = [](char c) { return c == 'a' || c == '9'; };
  std::string text =
      "Hello <#l#>\n"
      "# a comment\n"
      "<=a=>\n"
      "archived\n"
      "<=A9=>\n"
      "upper counts as on\n"
      "<=ab=>\n"
      "not shown\n"
      "<==>\n"
      "!A\n"
      "!R\n"
      "end";
  CHECK(render_text(text, t, on) ==
        "Hello list\narchived\nupper counts as on\n   joe@x.example\n"
        "   list-sc.1.abc-joe=x.example@example.test\nend\n");
}

TEST_CASE("format_message fills parameters only", "[ezmlm][texts]") {
  CHECK(format_message("<#1#> via <#2#> <#l#> <#3#>", {"a", "b"}) == "a via b <#l#> ");
  CHECK(fallback_message("ERR_NOSENDER") != nullptr);
  CHECK(fallback_message("NO_SUCH") == nullptr);
}

TEST_CASE("split_dsn takes a trailing status code off a message", "[ezmlm][texts]") {
  using P = std::pair<std::string, std::string>;
  CHECK(split_dsn("") == P{"", ""});
  CHECK(split_dsn("no code") == P{"no code", ""});
  CHECK(split_dsn("odd (#5.x.1)") == P{"odd (#5.x.1)", ""});
  CHECK(split_dsn("empty (#)") == P{"empty (#)", ""});
  CHECK(split_dsn("(#5.1.3)") == P{"(#5.1.3)", ""});  // no text before it
  CHECK(split_dsn("the address has no '@' (#5.1.3)") == P{"the address has no '@'", "5.1.3"});
  CHECK(split_dsn("a (#4.3.0) b (#5.7.2)") == P{"a (#4.3.0) b", "5.7.2"});
}
