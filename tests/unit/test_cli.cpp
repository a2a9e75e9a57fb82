// Unit tests: mta/core/cli — getopt-style command lines through
// Boost.Program_options: sticky flags, adjacent and separate values, "--",
// operands in order, and every mistake a UsageError (exit 100).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"

namespace cli = mta::cli;
namespace po = boost::program_options;

namespace {

// argv storage for one call: argv[0] is the program name.
struct Argv {
  std::vector<std::string> words;
  std::vector<char*> ptrs;
  explicit Argv(const std::vector<std::string>& args) {
    words.emplace_back("prog");
    for (const auto& a : args) words.push_back(a);
    for (auto& w : words) ptrs.push_back(w.data());
    ptrs.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(words.size()); }
  char** argv() { return ptrs.data(); }
};

// qmail-inject's options, declared the way mta/inject does.
po::options_description inject_options() {
  po::options_description d;
  d.add_options()(",n", po::value<std::vector<std::string>>()->zero_tokens(), "")(
      ",N", po::value<std::vector<std::string>>()->zero_tokens(), "")(
      ",H", po::value<std::vector<std::string>>()->zero_tokens(), "")(
      ",A", po::value<std::vector<std::string>>()->zero_tokens(), "")(
      ",f", po::value<std::vector<std::string>>(), "");
  return d;
}

cli::Parsed parse(const std::vector<std::string>& args, const po::options_description& d,
                  cli::Order order = cli::Order::getopt) {
  Argv a(args);
  return cli::parse(a.argc(), a.argv(), d, order);
}

std::vector<std::string> sender_values(const cli::Parsed& p) {
  if (!p.vars.count("-f")) return {};
  return p.vars["-f"].as<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("command-line mistakes are usage errors, never temporary failures") {
  const auto d = inject_options();
  const std::vector<std::vector<std::string>> rows = {
      {"-x"},            // unknown flag
      {"-nx"},           // unknown flag inside a sticky group
      {"-f"},            // missing value
      {"--nosuchlong"},  // unknown long option
  };
  for (const auto& row : rows) {
    INFO("argv: " << row.front());
    CHECK_THROWS_AS(parse(row, d), mta::UsageError);
  }
}

TEST_CASE("short flags stick together and are recorded in order") {
  auto p = parse({"-nH", "-A", "-N"}, inject_options());
  CHECK(p.vars.count("-n") == 1);
  CHECK(p.vars.count("-H") == 1);
  CHECK(p.vars.count("-A") == 1);
  CHECK(p.vars.count("-N") == 1);
  CHECK(p.order == std::vector<std::string>{"-n", "-H", "-A", "-N"});
  CHECK(p.positional.empty());
}

TEST_CASE("a value may be adjacent (-fsender) or the next word (-f sender)") {
  const auto d = inject_options();
  CHECK(sender_values(parse({"-fjoe@example.test"}, d)) == std::vector<std::string>{"joe@example.test"});
  CHECK(sender_values(parse({"-f", "joe@example.test"}, d)) == std::vector<std::string>{"joe@example.test"});
  // A sticky group may end with the option that takes the value.
  auto p = parse({"-nfjoe", "rcpt"}, d);
  CHECK(p.vars.count("-n") == 1);
  CHECK(sender_values(p) == std::vector<std::string>{"joe"});
  CHECK(p.positional == std::vector<std::string>{"rcpt"});
  // Repeated: every value is kept, in order (the last one wins for callers).
  CHECK(sender_values(parse({"-fa", "-f", "b"}, d)) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("operands are collected in order, and -- ends the options") {
  const auto d = inject_options();
  auto p = parse({"-n", "a@x", "b@y", "c@z"}, d);
  CHECK(p.positional == std::vector<std::string>{"a@x", "b@y", "c@z"});

  auto q = parse({"-n", "--", "-H", "x", "--"}, d);
  CHECK(q.vars.count("-H") == 0);
  CHECK(q.positional == std::vector<std::string>{"-H", "x", "--"});
  CHECK(q.order == std::vector<std::string>{"-n"});

  auto r = parse({}, d);
  CHECK(r.positional.empty());
  CHECK(r.order.empty());
}

TEST_CASE("long options take adjacent or separate values") {
  po::options_description d;
  d.add_options()("sandbox", "")("me", po::value<std::string>(), "");
  auto p = parse({"/tmp/q", "--sandbox", "--me", "example.test"}, d, cli::Order::permute);
  CHECK(p.vars.count("sandbox") == 1);
  CHECK(p.vars["me"].as<std::string>() == "example.test");
  CHECK(p.positional == std::vector<std::string>{"/tmp/q"});
  auto q = parse({"--me=host.test", "dir"}, d);
  CHECK(q.vars["me"].as<std::string>() == "host.test");
  CHECK(q.vars.count("sandbox") == 0);
  CHECK_THROWS_AS(parse({"--me"}, d), mta::UsageError);
  CHECK_THROWS_AS(parse({"--sandbox=yes"}, d), mta::UsageError);
}

TEST_CASE("in getopt order the first operand ends the options, as in qmail") {
  const auto d = inject_options();
  auto p = parse({"-n", "joe", "-H", "-fx"}, d);
  CHECK(p.order == std::vector<std::string>{"-n"});
  CHECK(p.positional == std::vector<std::string>{"joe", "-H", "-fx"});
  CHECK(sender_values(p).empty());
}

TEST_CASE("in getopt order an option's value may start with a dash") {
  const auto d = inject_options();
  auto p = parse({"-f", "-n", "rcpt"}, d);
  CHECK(sender_values(p) == std::vector<std::string>{"-n"});
  CHECK(p.vars.count("-n") == 0);
  CHECK(p.positional == std::vector<std::string>{"rcpt"});
  auto q = parse({"-nf-", "rcpt"}, d);
  CHECK(q.vars.count("-n") == 1);
  CHECK(sender_values(q) == std::vector<std::string>{"-"});
}

TEST_CASE("in permute order options may follow operands") {
  const auto d = inject_options();
  auto p = parse({"joe", "-n"}, d, cli::Order::permute);
  CHECK(p.vars.count("-n") == 1);
  CHECK(p.positional == std::vector<std::string>{"joe"});
}

TEST_CASE("an empty option value is a value: -f '' is the null sender") {
  const auto d = inject_options();
  auto p = parse({"-f", "", "rcpt"}, d);
  CHECK(sender_values(p) == std::vector<std::string>{""});
  CHECK(p.positional == std::vector<std::string>{"rcpt"});
}
