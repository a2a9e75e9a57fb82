// Unit tests: mta/local — qmail-local's command line and a whole delivery
// run in-process against a temporary home (mbox, forward-only refusal).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/local/local.h"
#include "tests/unit/tmpdir.h"

namespace fs = std::filesystem;

namespace {

// A home for qmail-local: not writable by others.
struct TempDir : lettershop_test::TempDir {
  TempDir() : lettershop_test::TempDir("local") { REQUIRE(::chmod(path.c_str(), 0755) == 0); }
};

// deliver() chdirs into the home; put the test's directory back afterwards.
struct KeepCwd {
  fs::path cwd = fs::current_path();
  ~KeepCwd() {
    std::error_code ec;
    fs::current_path(cwd, ec);
  }
};

mta::local::Args parse(std::vector<std::string> words) {
  words.insert(words.begin(), "qmail-local");
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  return mta::local::parse_args(static_cast<int>(words.size()), argv.data());
}

}  // namespace

TEST_CASE("qmail-local refuses a bad command line with its usage text", "[local]") {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"u", "/h", "l", "-", "e", "d", "s"},
      {"u", "/h", "l", "-", "e", "d", "s", "./M", "extra"},
      {"u", "relative", "l", "-", "e", "d", "s", "./M"},
      {"u", "", "l", "-", "e", "d", "s", "./M"},
      {"-x", "u", "/h", "l", "-", "e", "d", "s", "./M"},
  };
  for (const auto& row : bad) {
    INFO("argc " << row.size());
    CHECK_THROWS_AS(parse(row), mta::UsageError);
  }
}

TEST_CASE("qmail-local takes -n, -N and -- as qmail does", "[local]") {
  auto a = parse({"--", "joe", "/home/joe", "joe-x", "-", "x", "example.com", "s@x.y", "./Mailbox"});
  CHECK(a.deliver);
  CHECK(a.user == "joe");
  CHECK(a.home == "/home/joe");
  CHECK(a.local == "joe-x");
  CHECK(a.dash == "-");
  CHECK(a.ext == "x");
  CHECK(a.host == "example.com");
  CHECK(a.sender == "s@x.y");
  CHECK(a.defaultdelivery == "./Mailbox");
  CHECK_FALSE(parse({"-n", "u", "/h", "l", "", "", "d", "", "./M"}).deliver);
  CHECK(parse({"-n", "-N", "u", "/h", "l", "", "", "d", "", "./M"}).deliver);
  CHECK(parse({"u", "/h", "l", "", "", "d", "", "./M"}).sender.empty());
}

TEST_CASE("deliver follows the .qmail file and refuses file lines in forward-only mode", "[local]") {
  TempDir home;
  KeepCwd keep;
  const fs::path msgfile = home.path / "msg";
  std::ofstream(msgfile) << "Subject: s\n\nFrom x\n";
  mta::io::Fd msg(::open(msgfile.c_str(), O_RDONLY));
  REQUIRE(msg);
  mta::local::Args a;
  a.user = "joe";
  a.home = home.path.string();
  a.local = "joe-box";
  a.dash = "-";
  a.ext = "box";
  a.host = "example.com";
  a.sender = "s@x.y";
  a.defaultdelivery = "./Mailbox";

  std::ofstream(home.path / ".qmail-box") << "# keep a copy\n./box\n";
  REQUIRE(mta::local::deliver(a, msg.get(), mta::Home{home.path}, 0) == 0);
  std::ifstream in(home.path / "box");
  std::stringstream got;
  got << in.rdbuf();
  CHECK(got.str() ==
        "From s@x.y Thu Jan 01 00:00:00 1970\nReturn-Path: <s@x.y>\nDelivered-To: joe-box@example.com\n"
        "Subject: s\n\n>From x\n\n");

  REQUIRE(::chmod((home.path / ".qmail-box").c_str(), 0744) == 0);
  try {
    mta::local::deliver(a, msg.get(), mta::Home{home.path}, 0);
    FAIL("delivered in forward-only mode");
  } catch (const mta::TempError& e) {
    CHECK(std::string(e.what()) == "Uh-oh: .qmail has file delivery but has x bit set.");
    CHECK(e.dsn() == "4.7.0");
  }
}
