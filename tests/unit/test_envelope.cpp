// Unit tests: mta/core/envelope — qmail-queue's F/T envelope, both ways.
#include <catch2/catch.hpp>
#include <string>

#include "mta/core/envelope.h"

using namespace std::string_literals;
using mta::EnvelopeError;

namespace {
mta::Envelope parse(const std::string& bytes, bool trickle = false) {
  auto r = mta::io::Reader::from_string(bytes, trickle);
  return mta::read_envelope(r);
}
EnvelopeError::Kind error_of(const std::string& bytes) {
  try {
    parse(bytes);
  } catch (const EnvelopeError& e) {
    return e.kind();
  }
  FAIL("parsed although malformed: " << bytes);
  return EnvelopeError::Kind::format;
}
}  // namespace

TEST_CASE("a malformed envelope is refused with the kind qmail-queue maps to its exit code") {
  struct Row { std::string input; EnvelopeError::Kind kind; };
  const Row rows[] = {
      {"", EnvelopeError::Kind::short_read},
      {"Fa@b", EnvelopeError::Kind::short_read},
      {"Fa@b\0Tc@d\0"s, EnvelopeError::Kind::short_read},
      {"Xa@b\0\0"s, EnvelopeError::Kind::format},
      {"Fa@b\0Xc@d\0\0"s, EnvelopeError::Kind::format},
      {"T\0\0"s, EnvelopeError::Kind::format},
      {"F"s + std::string(1003, 'a') + "\0\0"s, EnvelopeError::Kind::too_long},
      {"F\0T"s + std::string(5000, 'x') + "\0\0"s, EnvelopeError::Kind::too_long},
  };
  for (const auto& row : rows) {
    INFO("input of " << row.input.size() << " bytes");
    CHECK(error_of(row.input) == row.kind);
  }
}

TEST_CASE("an envelope of 1002-byte addresses is the longest accepted") {
  std::string addr(1002, 'a');
  auto env = parse("F"s + addr + "\0T"s + addr + "\0\0"s);
  CHECK(env.sender == addr);
  REQUIRE(env.recipients.size() == 1);
}

TEST_CASE("envelopes round-trip, whole and trickled one byte at a time") {
  const mta::Envelope cases[] = {
      {"", {}},
      {"bill@irs.gov", {"joe@heaven.af.mil", "fred@x.org"}},
      {"a\xff\x01@b", {"8bit\x80@x"}},
      {"#@[]", {"postmaster"}},
  };
  for (const auto& env : cases) {
    auto bytes = mta::format_envelope(env);
    CHECK(parse(bytes) == env);
    CHECK(parse(bytes, true) == env);
  }
}

TEST_CASE("the envelope format is F sender NUL, T recipient NUL each, then NUL") {
  CHECK(mta::format_envelope({"s@h", {"r@h"}}) == "Fs@h\0Tr@h\0\0"s);
  CHECK(mta::format_envelope({"", {}}) == "F\0\0"s);
}
