// Unit tests: mta/core/dotqmail — .qmail parsing, the qmesearch order, the
// standard lines and the environment a .qmail program sees (reference 7.3-7.6).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mta/core/dotqmail.h"
#include "mta/core/exitcodes.h"
#include "tests/unit/tmpdir.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
namespace dq = mta::dotqmail;

namespace {

struct TempDir : lettershop_test::TempDir {
  TempDir() : lettershop_test::TempDir("dq") {}
  void write(const std::string& name, const std::string& data, mode_t mode = 0644) const {
    std::ofstream(path / name, std::ios::binary) << data;
    REQUIRE(::chmod((path / name).c_str(), mode) == 0);
  }
};

// The text of the error parse() throws, or "" if it accepts the input.
std::string parse_error(const std::string& input) {
  try {
    dq::parse(input, ".qmail-x");
  } catch (const mta::TempError& e) {
    return std::string(e.what()) + " #" + e.dsn();
  }
  return "";
}

}  // namespace

TEST_CASE("a .qmail file that cannot be used defers with a clear text", "[dotqmail]") {
  struct Row {
    std::string input, error;
  } rows[] = {
      {"\n./Mailbox\n", "Uh-oh: first line of .qmail file is blank. #4.2.1"},
      {"  \t\n./Mailbox\n", "Uh-oh: first line of .qmail file is blank. #4.2.1"},
      {"./Mail\0box\n"s, "Uh-oh: NUL byte in .qmail-x. #4.2.1"},
      {"#c\n&a@b\n\0"s, "Uh-oh: NUL byte in .qmail-x. #4.2.1"},
  };
  for (const Row& r : rows) {
    INFO("input: " << r.input);
    CHECK(parse_error(r.input) == r.error);
  }
}

TEST_CASE("each .qmail line kind becomes its instruction", "[dotqmail]") {
  using K = dq::Kind;
  struct Row {
    std::string input;
    std::vector<dq::Instruction> want;
    bool list;
  } rows[] = {
      {"", {}, false},
      {"# only a comment", {}, false},
      {"./Mailbox", {{K::mbox, "./Mailbox", 1}}, false},
      {"./Maildir/\n", {{K::maildir, "./Maildir/", 1}}, false},
      {"/var/mail/joe  \t\n", {{K::mbox, "/var/mail/joe", 1}}, false},
      {"|preline procmail \n", {{K::program, "preline procmail", 1}}, false},
      {"&joe@example.com\n", {{K::forward, "joe@example.com", 1}}, false},
      {"me@new.job.com\n", {{K::forward, "me@new.job.com", 1}}, false},
      {"#x\n\n\n./M/\n", {{K::maildir, "./M/", 4}}, false},
      {"+list\n&a@b\n", {{K::forward, "a@b", 2}}, true},
      {"+other\n&a@b\n", {{K::forward, "a@b", 2}}, false},
      {"./in box\r\n", {{K::mbox, "./in box\r", 1}}, false},  // CR is part of the name, as in qmail
  };
  for (const Row& r : rows) {
    INFO("input: " << r.input);
    dq::Parsed got = dq::parse(r.input, ".qmail");
    CHECK(got.instructions == r.want);
    CHECK(got.list == r.list);
  }
}

TEST_CASE("a 100 KB line is an ordinary line", "[dotqmail]") {
  std::string address(100 * 1024, 'a');
  dq::Parsed got = dq::parse("&" + address + "@example.com\n", ".qmail");
  REQUIRE(got.instructions.size() == 1);
  CHECK(got.instructions[0].text.size() == address.size() + 12);
}

TEST_CASE("qmesearch tries the names of reference 7.4 in order", "[dotqmail]") {
  using C = dq::Candidate;
  struct Row {
    std::string dash, ext;
    std::vector<C> want;
  } rows[] = {
      {"-", "a-b-c",
       {{".qmail-a-b-c", std::nullopt}, {".qmail-a-b-default", "c"}, {".qmail-a-default", "b-c"},
        {".qmail-default", "a-b-c"}}},
      {"-", "a-", {{".qmail-a-", std::nullopt}, {".qmail-a-default", ""}, {".qmail-default", "a-"}}},
      {"-", "", {{".qmail-", std::nullopt}, {".qmail-default", ""}}},
      {"", "", {{".qmail", std::nullopt}, {".qmaildefault", ""}}},
      {"-", "Foo.Bar", {{".qmail-foo:bar", std::nullopt}, {".qmail-default", "Foo.Bar"}}},
      {"-", "../x", {{".qmail-::/x", std::nullopt}, {".qmail-default", "../x"}}},
      {"-", "x-Default", {{".qmail-x-default", "Default"}, {".qmail-x-default", "Default"}, {".qmail-default", "x-Default"}}},
  };
  for (const Row& r : rows) {
    INFO("dash '" << r.dash << "' ext '" << r.ext << "'");
    CHECK(dq::search_order(r.dash, r.ext) == r.want);
  }
}

TEST_CASE("qmesearch finds the first existing file and checks its mode", "[dotqmail]") {
  TempDir home;
  home.write(".qmail-foo-default", "./Maildir/\n");
  home.write(".qmail-default", "&catchall@example.com\n");

  dq::Found f = dq::qmesearch(home.path, "-", "foo-Bar");
  REQUIRE(f.file);
  CHECK(f.file->name == ".qmail-foo-default");
  CHECK(f.file->default_part == "Bar");
  CHECK(f.contents == "./Maildir/\n");
  CHECK_FALSE(f.forward_only);

  f = dq::qmesearch(home.path, "-", "other");
  REQUIRE(f.file);
  CHECK(f.file->name == ".qmail-default");

  CHECK_FALSE(dq::qmesearch(home.path, "", "").file);  // .qmail, .qmaildefault: neither

  home.write(".qmail-fwd", "&a@b\n", 0744);
  f = dq::qmesearch(home.path, "-", "fwd");
  CHECK(f.forward_only);

  home.write(".qmail-ww", "&a@b\n", 0646);
  CHECK_THROWS_WITH(dq::qmesearch(home.path, "-", "ww"), "Uh-oh: .qmail file is writable.");

  fs::create_directory(home.path / ".qmail-dir");  // not a regular file: absent
  f = dq::qmesearch(home.path, "-", "dir");
  REQUIRE(f.file);
  CHECK(f.file->name == ".qmail-default");
}

TEST_CASE("the standard lines follow reference 7.2", "[dotqmail]") {
  CHECK(dq::dtline("joe-foo", "example.com") == "Delivered-To: joe-foo@example.com\n");
  CHECK(dq::dtline("a\nb", "c") == "Delivered-To: a_b@c\n");
  CHECK(dq::rpline("joe@example.com") == "Return-Path: <joe@example.com>\n");
  CHECK(dq::rpline("") == "Return-Path: <>\n");
  CHECK(dq::rpline("a b@c") == "Return-Path: <\"a b\"@c>\n");
  CHECK(dq::ufline("", 0) == "From MAILER-DAEMON Thu Jan 01 00:00:00 1970\n");
  CHECK(dq::ufline("a b\tc@d", 0) == "From a-b-c@d Thu Jan 01 00:00:00 1970\n");
}

TEST_CASE("EXT2-4 and HOST2-4 follow qmail's rules", "[dotqmail]") {
  struct Row {
    std::string in;
    std::string n2, n3, n4;
  };
  Row ext_rows[] = {
      {"", "", "", ""},
      {"foo", "", "", ""},
      {"foo-bar", "bar", "", ""},
      {"a-b-c-d-e", "b-c-d-e", "c-d-e", "d-e"},
      {"a--b", "-b", "b", ""},
      {"-", "", "", ""},
  };
  for (const Row& r : ext_rows) {
    INFO("ext " << r.in);
    CHECK(dq::ext_part(r.in, 2) == r.n2);
    CHECK(dq::ext_part(r.in, 3) == r.n3);
    CHECK(dq::ext_part(r.in, 4) == r.n4);
  }
  Row host_rows[] = {
      {"host", "host", "host", "host"},
      {"a.b", "a", "a", "a"},
      {"mail.example.co.uk", "mail.example.co", "mail.example", "mail"},
      {"a.b.c", "a.b", "a", "a"},
      {".", "", "", ""},
      {"", "", "", ""},
  };
  for (const Row& r : host_rows) {
    INFO("host " << r.in);
    CHECK(dq::host_part(r.in, 2) == r.n2);
    CHECK(dq::host_part(r.in, 3) == r.n3);
    CHECK(dq::host_part(r.in, 4) == r.n4);
  }
}

TEST_CASE("NEWSENDER follows the -owner files", "[dotqmail]") {
  TempDir home;
  dq::Params p{"joe", home.path.string(), "joe-list", "-", "list", "example.com", "s@x.y"};
  CHECK(dq::newsender(home.path, p) == "s@x.y");
  home.write(".qmail-list-owner", "&joe\n");
  CHECK(dq::newsender(home.path, p) == "joe-list-owner@example.com");
  home.write(".qmail-list-owner-default", "&joe\n");
  CHECK(dq::newsender(home.path, p) == "joe-list-owner-@example.com-@[]");
  p.sender = "";
  CHECK(dq::newsender(home.path, p) == "");
  p.sender = "#@[]";
  CHECK(dq::newsender(home.path, p) == "#@[]");
}

TEST_CASE("Env carries every variable of reference 7.3 and reads it back", "[dotqmail]") {
  dq::Params p{"joe", "/home/joe", "joe-a-b", "-", "a-b", "mail.example.com", "s@x.y"};
  dq::Env e = dq::Env::for_delivery(p, std::string("b"), "n@x.y", 0);
  std::vector<std::string> want = {
      "USER=joe", "HOME=/home/joe", "LOCAL=joe-a-b", "HOST=mail.example.com",
      "RECIPIENT=joe-a-b@mail.example.com", "SENDER=s@x.y", "NEWSENDER=n@x.y", "EXT=a-b", "EXT2=b",
      "EXT3=", "EXT4=", "HOST2=mail.example", "HOST3=mail", "HOST4=mail", "DEFAULT=b",
      "DTLINE=Delivered-To: joe-a-b@mail.example.com\n", "RPLINE=Return-Path: <s@x.y>\n",
      "UFLINE=From s@x.y Thu Jan 01 00:00:00 1970\n"};
  CHECK(e.to_environment() == want);
  CHECK(*e.get("EXT2") == "b");
  CHECK(e.get("NOPE") == nullptr);

  e = dq::Env::for_delivery(p, std::nullopt, "n@x.y", 0);
  CHECK(e.get("DEFAULT") == nullptr);
  CHECK_THROWS_WITH(e.need("DEFAULT"), "DEFAULT not set");

  ::setenv("SENDER", "env@x.y", 1);
  ::unsetenv("NEWSENDER");
  dq::Env from = dq::Env::from_environment();
  CHECK(from.sender == "env@x.y");
  CHECK_FALSE(from.newsender);
  ::unsetenv("SENDER");
}
