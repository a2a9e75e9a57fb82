// Unit tests: ezmlm/lib/request (ezmlm-request's command parser), gate and
// limit decisions. Malformed rows first.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "ezmlm/lib/gate.h"
#include "ezmlm/lib/limit.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/request.h"

namespace req = ezmlm::request;

namespace {
// One list: list@example.test.
std::optional<std::string> one_list(std::string_view a) {
  if (a == "list@example.test") return std::string("list");
  if (a == "my-list@example.test") return std::string("my-list");
  return std::nullopt;
}

std::string forwarded(std::string_view line, std::string_view sender = "joe@x.org") {
  auto cmd = req::parse_line(line, one_list);
  REQUIRE(cmd);
  REQUIRE(cmd->unclean.empty());
  return req::forward_address("list", "example.test", *cmd, sender);
}
}  // namespace

TEST_CASE("request lines that are empty or unclean are refused") {
  CHECK_FALSE(req::parse_line("", one_list));
  CHECK_FALSE(req::parse_line(" \t ", one_list));
  struct Row {
    const char* line;
    const char* unclean;
  } rows[] = {
      {"sub;rm -rf", "sub;rm"},                         // command bytes
      {"subscribe `id`@x.org", "`id`@x.org"},           // target local part
      {"subscribe joe@x.org;y", "joe@x.org;y"},         // target domain
      {"subscribe joe@", "joe@"},                       // no domain
      {"get 1/2", "1/2"},                               // argument
      {"other-subscribe@elsewhere.test", "other-subscribe@elsewhere.test"},  // not our list
      {"list-sub$-joe=x.org@example.test", "sub$"},     // command in a command address
      {"list-subscribe-jo/e=x.org@example.test", "jo/e=x.org"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},                   // 8-bit
  };
  for (const auto& r : rows) {
    INFO(r.line);
    auto cmd = req::parse_line(r.line, one_list);
    REQUIRE(cmd);
    CHECK(cmd->unclean == r.unclean);
  }
}

TEST_CASE("aliases map to ezmlm-manage's commands, prefixes kept") {
  struct Row {
    const char* word;
    const char* canonical;
  } rows[] = {
      {"sub", "subscribe"},         {"SUB", "subscribe"},        {"unsub", "unsubscribe"},
      {"remove", "unsubscribe"},    {"signoff", "unsubscribe"},  {"ind", "index"},
      {"rev", "list"},              {"review", "list"},          {"recipients", "list"},
      {"who", "list"},              {"showdist", "list"},        {"system", "help"},
      {"put", "help"},              {"set", "help"},             {"qqqq", "qqqq"},
      {"digest-sub", "digest-subscribe"}, {"Allow-Remove", "allow-unsubscribe"},
      {"deny-who", "deny-list"},    {"digest-", "digest-"},      {"Subscribe", "subscribe"},
  };
  for (const auto& r : rows) {
    INFO(r.word);
    CHECK(req::canonical_command(r.word) == r.canonical);
  }
}

TEST_CASE("subject forms become the list's command address") {
  struct Row {
    const char* line;
    const char* address;
  } rows[] = {
      {"qqqq", "list-qqqq-joe=x.org@example.test"},
      {"subscribe", "list-subscribe-joe=x.org@example.test"},
      {"  remove  ", "list-unsubscribe-joe=x.org@example.test"},
      {"subscribe list@example.test", "list-subscribe-joe=x.org@example.test"},
      {"subscribe list@Example.TEST ann@y.org", "list-subscribe-ann=y.org@example.test"},
      {"subscribe ann@y.org", "list-subscribe-ann=y.org@example.test"},
      {"subscribe\tlist@example.test\t<ann@y.org>", "list-subscribe-ann=y.org@example.test"},
      {"sub mailto:ann@y.org", "list-subscribe-ann=y.org@example.test"},
      {"get 12", "list-get.12-joe=x.org@example.test"},
      {"get 12-20 list@example.test", "list-get.12_20-joe=x.org@example.test"},
      {"digest-sub ann@y.org", "list-digest-subscribe-ann=y.org@example.test"},
      // whole command addresses
      {"list-remove@example.test", "list-unsubscribe-joe=x.org@example.test"},
      {"LIST-remove-ann=y.org@example.test", "list-unsubscribe-ann=y.org@example.test"},
      {"<list-digest-sub-ann=y.org@example.test>", "list-digest-subscribe-ann=y.org@example.test"},
      {"my-list-help@example.test", "list-help-joe=x.org@example.test"},
  };
  for (const auto& r : rows) {
    INFO(r.line);
    CHECK(forwarded(r.line) == r.address);
  }
  auto mine = req::parse_line("my-list-help@example.test", one_list);
  REQUIRE(mine);
  CHECK(mine->list == "my-list@example.test");
}

TEST_CASE("DEFAULT after request gives the command") {
  CHECK_FALSE(req::default_rest("subscribe"));
  CHECK_FALSE(req::default_rest("requests"));
  CHECK_FALSE(req::default_rest(""));
  CHECK(req::default_rest("request") == "");
  CHECK(req::default_rest("REQUEST-sub-ann=y.org") == "sub-ann=y.org");
  auto cmd = req::parse_address_part("sub-ann=y.org");
  CHECK(cmd.name == "subscribe");
  CHECK(cmd.target_part == "ann=y.org");
  CHECK(req::forward_address("list", "h.test", cmd, "joe@x.org") == "list-subscribe-ann=y.org@h.test");
  auto bare = req::parse_address_part("which");
  CHECK(bare.name == "which");
  CHECK(bare.target_part.empty());
}

TEST_CASE("target addresses are clean local@domain") {
  for (const char* bad : {"", "@", "a@", "@b", "a b@c", "a@b c", "a\"@b", "a@b>", "<a@b>"}) {
    INFO(bad);
    CHECK_FALSE(req::is_target_address(bad));
  }
  CHECK_FALSE(req::is_target_address(std::string(395, 'a') + "@x.org"));
  for (const char* good : {"a@b", "first.last+tag@sub-domain.example", "A_B@C.D"}) {
    INFO(good);
    CHECK(req::is_target_address(good));
  }
}

TEST_CASE("the -f file lists list@host:dir:description") {
  auto lists = req::parse_config(
      "# comment\n"
      "\n"
      "no-colon\n"
      "nodomain:/x:no @\n"
      "a@b.test::no dir\n"
      "Team@Example.TEST:/lists/team:The team list\n"
      "  other@example.test : /lists/other \n");
  REQUIRE(lists.size() == 2);
  CHECK(lists[0].address == "team@example.test");
  CHECK(lists[0].dir == "/lists/team");
  CHECK(lists[0].description == "The team list");
  CHECK(lists[1].address == "other@example.test");
  CHECK(lists[1].dir == "/lists/other");
  CHECK(lists[1].description.empty());
}

TEST_CASE("ezmlm-gate: query exits and the children's switches") {
  using ezmlm::gate::Verdict;
  CHECK(ezmlm::gate::query_verdict(0) == Verdict::next);
  CHECK(ezmlm::gate::query_verdict(99) == Verdict::post);
  CHECK(ezmlm::gate::query_verdict(111) == Verdict::defer);
  CHECK(ezmlm::gate::query_verdict(100) == Verdict::moderate);
  CHECK(ezmlm::gate::query_verdict(1) == Verdict::moderate);
  CHECK(ezmlm::gate::query_commands({"# c", "", "  ", "|true", "| ", "test -f x"}) ==
        std::vector<std::string>{"true", "test -f x"});

  const char* argv[] = {"ezmlm-gate", "-c", "-m", "-Q", "-y", "-R", "-q", "file", "/d", "."};
  auto cl = ezmlm::parse_command_line(10, const_cast<char**>(argv), "cCrRQmMpPsSyYq:0vV");
  CHECK(ezmlm::gate::child_argv("/b/ezmlm-send", true, cl, "/d") ==
        std::vector<std::string>{"/b/ezmlm-send", "-c", "-Q", "-R", "/d"});
  CHECK(ezmlm::gate::child_argv("/b/ezmlm-store", false, cl, "/d") ==
        std::vector<std::string>{"/b/ezmlm-store", "-c", "-m", "-y", "-R", "/d"});
}

TEST_CASE("ezmlm-limit: counter lines and the decision") {
  using ezmlm::limit::Action;
  CHECK_FALSE(ezmlm::limit::parse_counter(""));
  CHECK_FALSE(ezmlm::limit::parse_counter("x:1"));
  CHECK_FALSE(ezmlm::limit::parse_counter(":5"));
  auto c = ezmlm::limit::parse_counter("12:1000");
  REQUIRE(c);
  CHECK(c->num == 12);
  CHECK(c->when == 1000);
  auto no_time = ezmlm::limit::parse_counter("12");
  REQUIRE(no_time);
  CHECK(no_time->when == 0);

  ezmlm::limit::Counter start{10, 1000};
  CHECK(ezmlm::limit::decide(std::nullopt, 5, 2000, 30, 3600) == Action::restart);
  CHECK(ezmlm::limit::decide(start, 39, 2000, 30, 3600) == Action::none);
  CHECK(ezmlm::limit::decide(start, 40, 2000, 30, 3600) == Action::excess);
  CHECK(ezmlm::limit::decide(start, 40, 1000 + 3600, 30, 3600) == Action::excess);
  CHECK(ezmlm::limit::decide(start, 40, 1000 + 3601, 30, 3600) == Action::restart);  // too old
  CHECK(ezmlm::limit::decide(start, 40, 999, 30, 3600) == Action::restart);          // in the future
  CHECK(ezmlm::limit::decide(start, 5, 2000, 30, 3600) == Action::none);             // num went back
}
