// Unit tests: filters — the child tables of bouncesaying, condredirect and
// except, preline's flags and prefix, and maildir2mbox's From_ line.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "filters/helpers.h"
#include "filters/maildir_to_mbox.h"
#include "mta/core/exitcodes.h"

namespace {

using filters::ChildVerdict;

int exited(int code) { return code << 8; }  // the wait status of exit(code)
int killed(int sig) { return sig; }         // the wait status of a signal death

// Runs parse_preline on argv[1..] = args.
filters::PrelineOptions preline(std::vector<std::string> args) {
  args.insert(args.begin(), "preline");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return filters::parse_preline(static_cast<int>(args.size()), argv.data());
}

}  // namespace

TEST_CASE("a crashed child is a temporary failure for every helper") {
  for (int sig : {6, 9, 11, 15}) {
    INFO("signal " << sig);
    CHECK_THROWS_AS(filters::child_verdict(killed(sig)), mta::TempError);
  }
}

TEST_CASE("exit 0 is yes, 111 is temporary, anything else is no") {
  struct Row {
    int code;
    ChildVerdict want;
  };
  const Row rows[] = {
      {0, ChildVerdict::zero},      {111, ChildVerdict::temporary}, {1, ChildVerdict::other},
      {99, ChildVerdict::other},    {100, ChildVerdict::other},     {112, ChildVerdict::other},
      {120, ChildVerdict::other},   {255, ChildVerdict::other},
  };
  for (const Row& r : rows) {
    INFO("exit " << r.code);
    CHECK(filters::child_verdict(exited(r.code)) == r.want);
  }
}

TEST_CASE("except turns success into a bounce and failure into success") {
  CHECK(filters::except_exit(ChildVerdict::zero) == 100);
  CHECK(filters::except_exit(ChildVerdict::other) == 0);
  CHECK_THROWS_WITH(filters::except_exit(ChildVerdict::temporary), "temporary child error");
}

TEST_CASE("bouncesaying and condredirect act only on exit 0") {
  CHECK(filters::bouncesaying_bounces(ChildVerdict::zero));
  CHECK_FALSE(filters::bouncesaying_bounces(ChildVerdict::other));
  CHECK_THROWS_AS(filters::bouncesaying_bounces(ChildVerdict::temporary), mta::TempError);
  CHECK(filters::condredirect_redirects(ChildVerdict::zero));
  CHECK_FALSE(filters::condredirect_redirects(ChildVerdict::other));
  CHECK_THROWS_AS(filters::condredirect_redirects(ChildVerdict::temporary), mta::TempError);
}

TEST_CASE("preline refuses a missing command and unknown flags") {
  const std::vector<std::vector<std::string>> bad = {
      {}, {"-f"}, {"-frd"}, {"-x", "cat"}, {"-q"}, {"--", }, {"-f", "--"},
  };
  for (const auto& args : bad) {
    std::string shown;
    for (const auto& a : args) shown += "[" + a + "]";
    INFO("args " << shown);
    CHECK_THROWS_AS(preline(args), mta::UsageError);
  }
}

TEST_CASE("preline's flags: lower case leaves a line out, upper case puts it back, last wins") {
  struct Row {
    std::vector<std::string> args;
    bool uf, rp, dt;
    std::vector<std::string> command;
  };
  const std::vector<Row> rows = {
      {{"cat"}, true, true, true, {"cat"}},
      {{"-f", "cat"}, false, true, true, {"cat"}},
      {{"-r", "cat"}, true, false, true, {"cat"}},
      {{"-d", "cat"}, true, true, false, {"cat"}},
      {{"-frd", "cat"}, false, false, false, {"cat"}},
      {{"-fF", "cat"}, true, true, true, {"cat"}},
      {{"-Ff", "cat"}, false, true, true, {"cat"}},
      {{"-d", "-D", "-r", "cat"}, true, false, true, {"cat"}},
      // The command's own flags are its own (getopt stops at the command).
      {{"-f", "grep", "-f", "x"}, false, true, true, {"grep", "-f", "x"}},
      {{"--", "-weird"}, true, true, true, {"-weird"}},
  };
  for (const Row& r : rows) {
    std::string shown;
    for (const auto& a : r.args) shown += "[" + a + "]";
    INFO("args " << shown);
    auto o = preline(r.args);
    CHECK(o.ufline == r.uf);
    CHECK(o.rpline == r.rp);
    CHECK(o.dtline == r.dt);
    CHECK(o.command == r.command);
  }
}

TEST_CASE("preline writes UFLINE, RPLINE, DTLINE in that order") {
  const std::string uf = "From a@b Thu Jan 01 00:00:00 1970\n";
  const std::string rp = "Return-Path: <a@b>\n";
  const std::string dt = "Delivered-To: c@d\n";
  filters::PrelineOptions o;
  CHECK(filters::preline_prefix(o, uf, rp, dt) == uf + rp + dt);
  o.rpline = false;
  CHECK(filters::preline_prefix(o, uf, rp, dt) == uf + dt);
  o.ufline = false;
  o.dtline = false;
  CHECK(filters::preline_prefix(o, uf, rp, dt).empty());
}

TEST_CASE("maildir2mbox's From_ line comes from a first Return-Path line, else XXX") {
  struct Row {
    std::string first;
    bool complete;
    std::string who;
  };
  const std::vector<Row> rows = {
      // Not a Return-Path line (qmail compares case and spacing exactly).
      {"", true, "XXX"},
      {"", false, "XXX"},
      {"Return-Path: <a@b>", false, "XXX"},  // the whole message is this partial line
      {"Return-Path <a@b>", true, "XXX"},
      {"return-path: <a@b>", true, "XXX"},
      {"Return-Path:<a@b>", true, "XXX"},
      {"Return-Path: a@b", true, "XXX"},
      {"Subject: Return-Path: <a@b>", true, "XXX"},
      // The bounce sender.
      {"Return-Path: <>", true, "MAILER-DAEMON"},
      {"Return-Path: <", true, "MAILER-DAEMON"},
      // Spaces and tabs become '-'; the address ends at the last '>'.
      {"Return-Path: <a b\tc@d>", true, "a-b-c@d"},
      {"Return-Path: <a@b>\r", true, "a@b"},
      {"Return-Path: <a@b> ", true, "a@b"},
      {"Return-Path: <a@b", true, "a@b"},
      {"Return-Path: <\"x>y\"@b>", true, "\"x>y\"@b"},
      {std::string("Return-Path: <a\0b@c>", 20), true, std::string("a\0b@c", 5)},
      {"Return-Path: <joe@example.test>", true, "joe@example.test"},
  };
  for (const Row& r : rows) {
    INFO("first line [" << r.first << "] complete " << r.complete);
    CHECK(filters::mbox_from_line(r.first, r.complete, 0) == "From " + r.who + " Thu Jan 01 00:00:00 1970\n");
  }
  CHECK(filters::mbox_from_line("Return-Path: <a@b>", true, 1000000000) ==
        "From a@b Sun Sep 09 01:46:40 2001\n");
}
