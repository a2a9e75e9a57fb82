// Unit tests: mta/core/log — log-safe text and whole log lines.
#include <catch2/catch.hpp>

#include <string>

#include "mta/core/io.h"
#include "mta/core/log.h"

using namespace std::string_literals;

TEST_CASE("printable replaces every byte outside 32..126") {
  struct Row {
    std::string input, want_underscore, want_question;
  };
  const Row rows[] = {
      {"", "", ""},
      {"plain text ~!", "plain text ~!", "plain text ~!"},
      {"tab\there", "tab_here", "tab?here"},
      {"nl\ncr\r", "nl_cr_", "nl?cr?"},
      {"nul\0x"s, "nul_x", "nul?x"},
      {"del\x7f", "del_", "del?"},
      {"8bit\x80\xff", "8bit__", "8bit??"},
      {"\x1f \x20", "_  ", "?  "},
  };
  for (const auto& row : rows) {
    INFO("input: " << row.input);
    CHECK(mta::log::printable(row.input) == row.want_underscore);
    CHECK(mta::log::printable(row.input, '?') == row.want_question);
  }
}

TEST_CASE("safe is qmail-send's logsafe: newline to slash, space and unsafe bytes to underscore") {
  struct Row {
    std::string input, want;
  };
  const Row rows[] = {
      {"", ""},
      {"user@example.com", "user@example.com"},
      // qmail-local's report "did 0+0+1\n" is logged as "did_0+0+1/".
      {"did 0+0+1\n", "did_0+0+1/"},
      {"a b\tc", "a_b_c"},
      {"100%", "100_"},  // '%' never reaches a syslog format string
      {"nul\0\r"s, "nul__"},
      {"\x7f\x80\xff", "___"},
      {"Remote host said: 550 no\nsuch user\n", "Remote_host_said:_550_no/such_user/"},
      {"!\"#$&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~", "!\"#$&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"},
  };
  for (const auto& row : rows) {
    INFO("input: " << row.input);
    CHECK(mta::log::safe(row.input) == row.want);
  }
}

TEST_CASE("log::line writes the text and one newline, flushed") {
  std::string sink;
  mta::io::Writer w(sink);
  mta::log::line(w, "status: local 0/10 remote 0/20");
  mta::log::line(w, "");
  CHECK(sink == "status: local 0/10 remote 0/20\n\n");
}
