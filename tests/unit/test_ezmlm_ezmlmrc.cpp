// Unit tests: ezmlm/lib/ezmlmrc — the template language of ezmlm-make.
#include <catch2/catch.hpp>
#include <string>

#include "ezmlm/lib/ezmlmrc.h"

using ezmlm::rc::Context;
using ezmlm::rc::MemoryTarget;
using ezmlm::rc::TemplateError;

namespace {
Context make_context(std::string_view on = "ap") {
  Context c;
  for (char f : on) c.flags[static_cast<std::size_t>(f - 'a')] = true;
  c.bin = "/B";
  c.digestcode = "CODE";
  c.dir = "/l/team";
  c.host = "example.test";
  c.local = "team";
  c.dot = "/h/owner/.qmail-team";
  c.template_path = "/etc/ezmlm/en_US";
  return c;
}
MemoryTarget run(std::string_view body, const Context& c) {
  MemoryTarget t;
  ezmlm::rc::run(body, c, t);
  return t;
}
}  // namespace

TEST_CASE("a malformed tag is refused with the line") {
  const char* rows[] = {
      "</file\n",                // no end
      "</file#a\n",              // no end after flags
      "</some.file/>\n",         // a period could climb out of DIR
      "</../x/>\n",
      "</+/>\n",                 // mkdir of nothing
      "</-#a/>\n",               // rm of nothing
      "</:noslash/>\n",          // link without its file
      "</:-x//>\n",              // link to nothing
      "</f#a/b/>\n",             // '/' among the flags
  };
  for (const char* row : rows) {
    INFO(row);
    CHECK_THROWS_AS(run(row, make_context()), TemplateError);
  }
}

TEST_CASE("a file tag that names no file before any other writes nothing") {
  MemoryTarget t = run("</#a/>\nline\n", make_context());
  CHECK(t.files.empty());
  CHECK(t.log.empty());
}

TEST_CASE("a template without a version line is refused") {
  CHECK_THROWS_AS(ezmlm::rc::split_version(""), TemplateError);
  CHECK_THROWS_AS(ezmlm::rc::split_version("7.2.2"), TemplateError);
  auto [v, body] = ezmlm::rc::split_version("7.2.2\n</a/>\n");
  CHECK(v == "7.2.2");
  CHECK(body == "</a/>\n");
}

TEST_CASE("the version check compares the major number and the first minor digit") {
  struct Row { const char* line; bool ok; };
  const Row rows[] = {
      {"", false}, {"7", false}, {"6.2.2", false}, {"7.1.0", false}, {"0.53", false},
      {"72.2", false}, {"7.2", true}, {"7.2.2", true}, {"7.29 anything", true},
  };
  for (const auto& row : rows) {
    INFO(row.line);
    CHECK(ezmlm::rc::version_matches(row.line, "ezmlm-idx-7.2.2") == row.ok);
  }
}

TEST_CASE("make-time tags are substituted and run-time tags copied") {
  Context c = make_context("ap");
  c.args[0] = "main@example.test";
  c.args[5] = "owner@example.org";
  c.args[1] = "team";
  CHECK(ezmlm::rc::substitute("|<#B#>/ezmlm-send '<#D#>'", c) == "|/B/ezmlm-send '/l/team'");
  CHECK(ezmlm::rc::substitute("<#L#>@<#H#> <#T#> <#C#> <#X#>", c) ==
        "team@example.test /h/owner/.qmail-team CODE /etc/ezmlm/en_US");
  CHECK(ezmlm::rc::substitute("<#F#>", c) == "-aBCDEFGHIJKLMNOpQRSTUVWXYZ");
  CHECK(ezmlm::rc::substitute("<#0#>|<#1#>|<#2#>|<#5#>|<#9#>", c) == "main@example.test|team||owner@example.org|");
  CHECK(ezmlm::rc::substitute("<#l#>-help@<#h#> <#A#> <#R#> <#n#>", c) == "<#l#>-help@<#h#> <#A#> <#R#> <#n#>");
  // Not quite tags: copied byte for byte.
  CHECK(ezmlm::rc::substitute("<#B# <#B <# <#BB#> <##>", c) == "<#B# <#B <# <#BB#> <##>");
  CHECK(ezmlm::rc::substitute("end <#B", c) == "end <#B");
}

TEST_CASE("files, removals, directories and links happen in template order") {
  const char* body =
      "# a comment\n"
      "</+archive/>\n"
      "</+digest#d/>\n"
      "</:/editor/>\n"
      "</:-digest-return-default/digest/bouncer#d/>\n"
      "</:-default/manager/>\n"
      "</-prefix#eF/>\n"
      "</outlocal/>\n"
      "<#L#>\n"
      "</editor/>\n"
      "|<#B#>/ezmlm-reject '<#D#>'\n"
      "# comments inside a file are dropped\n"
      "</#d/>\n"
      "|digest line\n"
      "</#a/>\n"
      "|archive line\n";
  MemoryTarget t = run(body, make_context("ap"));
  CHECK(t.dirs == std::vector<std::string>{"archive"});
  CHECK(t.links == std::map<std::string, std::string>{{"", "editor"}, {"-default", "manager"}});
  CHECK(t.files["outlocal"] == "team\n");
  CHECK(t.files["editor"] == "|/B/ezmlm-reject '/l/team'\n|archive line\n");
  CHECK(t.log == std::vector<std::string>{"mkdir archive", "ln  editor", "ln -default manager", "open outlocal",
                                          "close outlocal", "open editor", "close editor"});
}

TEST_CASE("flag conditions: lowercase on, uppercase off, digits given, ^ negates") {
  struct Row { const char* flags; bool written; };
  const Row rows[] = {
      {"", true}, {"a", true}, {"A", false}, {"d", false}, {"D", true}, {"aD", true}, {"ad", false},
      {"^a", false}, {"^d", true}, {"^D", false}, {"0", false}, {"^0", true}, {"5", true}, {"^5", false},
      {"a5p", true}, {"?!", true}, {"^", true},
  };
  for (const auto& row : rows) {
    INFO("flags " << row.flags);
    Context c = make_context("ap");
    c.args[5] = "x@y";
    std::string body = std::string("</f#") + row.flags + "/>\nyes\n";
    MemoryTarget t = run(body, c);
    CHECK((t.files.count("f") == 1) == row.written);
  }
}

TEST_CASE("a file named again while open is extended; once closed it is truncated") {
  const char* body =
      "</h/>\n1\n"
      "</h#d/>\nnot\n"    // skipped lines, h stays open
      "</h#a/>\n2\n"
      "</other/>\nx\n"
      "</h/>\n3\n";       // reopened: starts again
  MemoryTarget t = run(body, make_context("ap"));
  CHECK(t.files["h"] == "3\n");
  CHECK(t.log == std::vector<std::string>{"open h", "close h", "open other", "close other", "open h", "close h"});

  // A first tag that does not apply leaves nothing open; the next one opens.
  MemoryTarget u = run("</g#d/>\nno\n</g#a/>\nyes\n</#p/>\nmore\n", make_context("ap"));
  CHECK(u.files["g"] == "yes\nmore\n");
}

TEST_CASE("E keeps an existing file when editing, unless forced") {
  const char* body = "</headeradd#E/>\nnew\n</#aE/>\nnew too\n";
  for (int mode = 0; mode < 4; ++mode) {
    bool editing = mode & 1, force = mode & 2;
    INFO("editing " << editing << " force " << force);
    Context c = make_context(editing ? "ape" : "ap");
    c.force = force;
    MemoryTarget t;
    t.files["headeradd"] = "old\n";
    ezmlm::rc::run(body, c, t);
    CHECK(t.files["headeradd"] == (editing && !force ? "old\n" : "new\nnew too\n"));
  }
  // Each tag decides for itself: a continuation tag without E, after the
  // file was kept, opens it again (ezmlm-idx does the same; templates put E
  // on every tag of such a file).
  {
    Context c = make_context("ape");
    MemoryTarget t;
    t.files["headeradd"] = "old\n";
    ezmlm::rc::run("</headeradd#E/>\nnew\n</#a/>\nnew too\n", c, t);
    CHECK(t.files["headeradd"] == "new too\n");
  }
  // ^e is E spelled the other way; a missing file is written anyway.
  Context c = make_context("ape");
  MemoryTarget t = run("</text/trailer#^e/>\ntrailer\n", c);
  CHECK(t.files["text/trailer"] == "trailer\n");
}

TEST_CASE("text lines keep <=x=> sections and a last line without newline") {
  MemoryTarget t = run("</text/top/>\n<=t=>\nhas trailer\n<=T=>\nlast", make_context("ap"));
  CHECK(t.files["text/top"] == "<=t=>\nhas trailer\n<=T=>\nlast");
}
