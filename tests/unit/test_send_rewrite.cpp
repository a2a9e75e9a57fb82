// Unit tests: qmail-send's recipient rewriting (mta/send/rewrite.h).
#include <catch2/catch.hpp>

#include "mta/send/rewrite.h"

using mta::send::ConstMap;
using mta::send::Rewriting;
using mta::send::Target;

namespace {
Rewriting table() {
  Rewriting rw;
  rw.envnoathost = "example.test";
  rw.locals = ConstMap::keys({"example.test", "Local.Test"});
  rw.percenthack = ConstMap::keys({"ph", "c"});
  rw.virtualdomains = ConstMap::pairs({
      "no colon line",              // ignored
      "virt.test:first",            // replaced by the next line: last wins
      "virt.test:joe",
      "fred@virt.test:fredbox",     // virtual user
      ".sub.test:subber",           // suffix
      "exempt.sub.test:",           // exception: empty value
      ":catchall",                  // empty key
  });
  return rw;
}
}  // namespace

TEST_CASE("rewrite classifies and rewrites each recipient") {
  struct Row {
    const char* in;
    bool local;
    const char* out;
  } rows[] = {
      // odd input first
      {"", true, "@example.test"},
      {"@", true, "catchall-@"},
      {"nobody", true, "nobody@example.test"},
      // locals, case-insensitive, no rewriting, no case folding
      {"Joe@EXAMPLE.test", true, "Joe@EXAMPLE.test"},
      {"joe@local.test", true, "joe@local.test"},
      {"joe@sub.example.test", true, "catchall-joe@sub.example.test"},  // no wildcards in locals
      // percenthack, repeated, last % first
      {"a%b%c@ph", true, "catchall-a@b"},
      {"a%b@ph", true, "catchall-a@b"},
      {"a@ph", true, "catchall-a@ph"},
      {"a%b@example.test", true, "a%b@example.test"},
      {"u%example.test@ph", true, "u@example.test"},
      // virtualdomains: user, domain (last duplicate), suffix, exception, catch-all
      {"fred@virt.test", true, "fredbox-fred@virt.test"},
      {"fred@VIRT.test", true, "fredbox-fred@VIRT.test"},
      {"info@virt.test", true, "joe-info@virt.test"},
      {"x@a.sub.test", true, "subber-x@a.sub.test"},
      {"x@sub.test", true, "catchall-x@sub.test"},  // .suffix never matches the bare domain
      {"x@exempt.sub.test", false, "x@exempt.sub.test"},
      {"x@other.test", true, "catchall-x@other.test"},
  };
  Rewriting rw = table();
  for (const auto& row : rows) {
    INFO("in: " << row.in);
    CHECK(mta::send::rewrite(rw, row.in) == Target{row.local, row.out});
  }
}

TEST_CASE("rewrite without virtualdomains sends the rest remote") {
  Rewriting rw = table();
  rw.virtualdomains = ConstMap{};
  CHECK(mta::send::rewrite(rw, "x@other.test") == Target{false, "x@other.test"});
  CHECK(mta::send::rewrite(rw, "a%b%c@ph") == Target{false, "a@b"});
}

TEST_CASE("bounce_recipient strips a domain prepend only") {
  struct Row {
    const char* in;
    const char* out;
  } rows[] = {
      {"", ""},
      {"no-at-all", "no-at-all"},
      {"line\nbreak@x.test", "line_break@x.test"},  // no prefix to strip; newline made _
      {"joe-info@virt.test", "info@virt.test"},
      {"joeinfo@virt.test", "joeinfo@virt.test"},
      {"subber-x@a.sub.test", "x@a.sub.test"},
      {"catchall-x@other.test", "x@other.test"},
      {"fredbox-fred@virt.test", "fredbox-fred@virt.test"},  // virtual-user prepends stay
      {"x@exempt.sub.test", "x@exempt.sub.test"},
      {"alice@example.test", "alice@example.test"},
  };
  Rewriting rw = table();
  for (const auto& row : rows) {
    INFO("in: " << row.in);
    CHECK(mta::send::bounce_recipient(rw, row.in) == row.out);
  }
}
