// Unit tests: mta/core/maildir — unique names without sleeping, delivery
// into new/, nothing left behind on failure, and the reader helpers.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/maildir.h"
#include "tests/unit/tmpdir.h"

namespace fs = std::filesystem;
namespace io = mta::io;
namespace md = mta::maildir;

namespace {

using lettershop_test::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_files(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// A message source whose read fails after the first bytes.
class FailingSource : public io::Source {
 public:
  std::size_t read(char* buf, std::size_t n) override {
    if (done_) throw mta::TempError("unable to read: Input/output error");
    done_ = true;
    buf[0] = 'X';
    return n ? 1 : 0;
  }

 private:
  bool done_ = false;
};

}  // namespace

TEST_CASE("maildir names have the documented layout, host escaped", "[maildir]") {
  md::NameParts p{1700000000, 42, 1234, 7, 0xabcdef, "mx/1:a"};
  CHECK(md::format_name(p) == "1700000000.M42P1234Q7R0000000000abcdef.mx\\0571\\072a");
}

TEST_CASE("10,000 names in a row are unique without sleeping", "[maildir]") {
  std::set<std::string> names;
  for (int i = 0; i < 10000; ++i) names.insert(md::format_name(md::next_name_parts()));
  CHECK(names.size() == 10000);
}

TEST_CASE("deliver writes prepend + message unchanged into new/", "[maildir]") {
  TempDir t("md");
  md::make(t.path / "Maildir");
  const fs::path dir = t.path / "Maildir";
  auto in = io::Reader::from_string("Subject: x\n\nFrom me\nlast", true);
  std::string name = md::deliver(dir, in, "Return-Path: <a@b>\nDelivered-To: c@d\n");
  CHECK(slurp(dir / "new" / name) == "Return-Path: <a@b>\nDelivered-To: c@d\nSubject: x\n\nFrom me\nlast");
  CHECK(count_files(dir / "tmp") == 0);
  CHECK(count_files(dir / "new") == 1);

  std::set<std::string> names{name};
  for (int i = 0; i < 50; ++i) {
    auto again = io::Reader::from_string("m\n");
    names.insert(md::deliver(dir, again, ""));
  }
  CHECK(names.size() == 51);
  CHECK(count_files(dir / "new") == 51);
}

TEST_CASE("a failed delivery leaves nothing in new/ or tmp/", "[maildir]") {
  TempDir t("md");
  const fs::path dir = t.path / "Maildir";
  SECTION("no Maildir at all: temporary, 4.2.1") {
    auto in = io::Reader::from_string("m\n");
    try {
      md::deliver(dir, in, "");
      FAIL("delivered into a missing Maildir");
    } catch (const mta::TempError& e) {
      CHECK(std::string(e.what()) == "Unable to chdir to maildir.");
      CHECK(e.dsn() == "4.2.1");
    }
  }
  SECTION("the message cannot be read") {
    md::make(dir);
    io::Reader in(std::make_unique<FailingSource>());
    CHECK_THROWS_WITH(md::deliver(dir, in, "RP\n"), "Unable to read message.");
    CHECK(count_files(dir / "new") == 0);
    CHECK(count_files(dir / "tmp") == 0);
  }
  SECTION("new/ cannot be written") {
    md::make(dir);
    if (::geteuid() == 0) return;  // root ignores the mode
    fs::permissions(dir / "new", fs::perms::owner_read | fs::perms::owner_exec);
    auto in = io::Reader::from_string("m\n");
    CHECK_THROWS_WITH(md::deliver(dir, in, ""), "Temporary error on maildir delivery.");
    fs::permissions(dir / "new", fs::perms::owner_all);
    CHECK(count_files(dir / "new") == 0);
    CHECK(count_files(dir / "tmp") == 0);
  }
}

TEST_CASE("readers see new/ and cur/ without dot files, and tmp/ is cleaned", "[maildir]") {
  TempDir t("md");
  const fs::path dir = t.path / "M";
  md::make(dir);
  std::ofstream(dir / "new" / "2.x") << "a";
  std::ofstream(dir / "cur" / "1.y:2,S") << "b";
  std::ofstream(dir / "new" / ".hidden") << "c";
  struct utimbuf old {1000, 1000};
  REQUIRE(::utime((dir / "cur" / "1.y:2,S").c_str(), &old) == 0);
  auto list = md::list_messages(dir);
  REQUIRE(list.size() == 2);
  CHECK(list[0].name == "1.y:2,S");
  CHECK(list[0].seen);
  CHECK(list[1].name == "2.x");
  CHECK_FALSE(list[1].seen);

  std::ofstream(dir / "tmp" / "stale") << "x";
  std::ofstream(dir / "tmp" / "fresh") << "x";
  REQUIRE(::utime((dir / "tmp" / "stale").c_str(), &old) == 0);
  const std::time_t now = std::time(nullptr);
  CHECK(md::clean_tmp(dir, now) == 1);
  CHECK(fs::exists(dir / "tmp" / "fresh"));
  CHECK_FALSE(fs::exists(dir / "tmp" / "stale"));
  CHECK_THROWS_AS(md::list_messages(t.path / "none"), mta::TempError);
}
