// Unit tests: ezmlm/lib/split, dispatch and make helpers — address mapping.
#include <catch2/catch.hpp>
#include <string>

#include "ezmlm/lib/dispatch.h"
#include "ezmlm/lib/make.h"
#include "ezmlm/lib/split.h"
#include "tests/unit/tmpdir.h"

TEST_CASE("a split rule that matches without its hash fields is a syntax error") {
  const char* rows[] = {"edu:\n", "edu:5\n", ":\n"};
  for (const char* rules : rows) {
    INFO(rules);
    CHECK_THROWS_AS(ezmlm::split::find_sublist(rules, "a@x.edu", "h"), mta::TempError);
  }
  CHECK_THROWS_AS(ezmlm::split::find_sublist("", "no-at-sign", "h"), mta::PermError);
}

TEST_CASE("the domain key is the last two labels reversed") {
  CHECK(ezmlm::split::domain_key("u@a.b.example.com") == "com.example");
  CHECK(ezmlm::split::domain_key("u@example.com.") == "com.example");
  CHECK(ezmlm::split::domain_key("u@localhost") == "localhost");
  CHECK(ezmlm::split::domain_key("u@x.edu") == "edu.x");
}

TEST_CASE("the first rule whose domain and hash range match names the sublist") {
  const char* rules =
      "# comment\n"
      "no colon here\n"
      "org:0:52:\n"                  // matches, no list: this list
      "edu:0:52: edu@edu.test \n"
      ":0:52:local\n";               // everything else, host added
  CHECK(ezmlm::split::find_sublist(rules, "a@x.org", "h.test") == std::nullopt);
  CHECK(ezmlm::split::find_sublist(rules, "a@X.EDU", "h.test") == "edu@edu.test");
  CHECK(ezmlm::split::find_sublist(rules, "a@x.net", "h.test") == "local@h.test");
  // Hash ranges split one domain in two; each address lands in exactly one.
  const char* halves = "com:0:26:low\ncom:27:52:high\n";
  for (const char* a : {"a@b.com", "zz@q.com", "User@Example.COM"}) {
    INFO(a);
    auto sub = ezmlm::split::find_sublist(halves, a, "h");
    REQUIRE(sub);
    CHECK((*sub == "low@h" || *sub == "high@h"));
  }
  // An empty hi means 52.
  CHECK(ezmlm::split::find_sublist("com:0::all\n", "a@b.com", "h") == "all@h");
}

TEST_CASE("DEFAULT gives action and target; forwards go to sub-action-box=dom") {
  auto r = ezmlm::split::parse_default("subscribe-box=dom.test", "s@x");
  CHECK(r.action == "subscribe");
  CHECK(r.target == "box@dom.test");
  auto s = ezmlm::split::parse_default("unsubscribe", "s@x");
  CHECK(s.target == "s@x");
  CHECK(ezmlm::split::is_split_action("SUBSCRIBE"));
  CHECK_FALSE(ezmlm::split::is_split_action("help"));
  CHECK(ezmlm::split::forward_address("sub@sub.test", "subscribe", "box@dom.test") ==
        "sub-subscribe-box=dom.test@sub.test");
}

TEST_CASE("dispatch maps the address rest to the command file qmail-local would run") {
  struct Row { std::optional<std::string> rest; const char* file; std::optional<std::string> deflt; };
  const Row rows[] = {
      {std::nullopt, "editor", std::nullopt},
      {"", "editor", std::nullopt},
      {"owner", "owner", std::nullopt},
      {"digest-owner", "owner", std::nullopt},
      {"digest-return-5-a=b", "digest/bouncer", "5-a=b"},
      {"return-", "bouncer", ""},
      {"confirm-1.2", "confirmer", "1.2"},
      {"discard-1.2", "confirmer", "1.2"},
      {"accept-1.2", "moderator", "1.2"},
      {"reject-1.2", "moderator", "1.2"},
      {"subscribe-a=b", "manager", "subscribe-a=b"},
      {"digest-subscribe", "manager", "digest-subscribe"},
  };
  for (const auto& row : rows) {
    INFO(row.rest.value_or("(unset)"));
    auto r = ezmlm::dispatch::route(row.rest);
    CHECK(r.file == row.file);
    CHECK(r.deflt == row.deflt);
  }
}

TEST_CASE("dispatch finds the longest DEFAULT prefix that names a list") {
  lettershop_test::TempDir tmp("dispatch");
  std::filesystem::create_directories(tmp.path / "team");
  std::filesystem::create_directories(tmp.path / "team-x");
  auto a = ezmlm::dispatch::find_list(tmp.path, "team-x-help");
  REQUIRE(a);
  CHECK(a->list == "team-x");
  CHECK(a->rest == "help");
  auto b = ezmlm::dispatch::find_list(tmp.path, "team");
  REQUIRE(b);
  CHECK(b->rest == std::nullopt);
  CHECK(ezmlm::dispatch::find_list(tmp.path, "other-team") == std::nullopt);
  CHECK(ezmlm::dispatch::find_list(tmp.path, "..-team") == std::nullopt);
}

TEST_CASE("ezmlm-make takes <#1#> and <#2#> from the dot file's name") {
  CHECK(ezmlm::make::dot_parts("/h/.qmail-a-b-list") == std::pair<std::string, std::string>{"a", "b"});
  CHECK(ezmlm::make::dot_parts("/h/.qmail-a-list") == std::pair<std::string, std::string>{"a", ""});
  CHECK(ezmlm::make::dot_parts("/h/.qmail-list") == std::pair<std::string, std::string>{"", ""});
  CHECK(ezmlm::make::dot_parts("/h/.qmail") == std::pair<std::string, std::string>{"", ""});
}
