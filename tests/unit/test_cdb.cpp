// Unit tests: mta/core/cdb — constant databases (users/cdb,
// morercpthosts.cdb): atomic writes, first record wins, absent is nullopt,
// and files interchangeable with tinycdb's cdb(1) tool.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mta/core/cdb.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
namespace cdb = mta::cdb;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lettershop-cdb-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

using Records = std::vector<std::pair<std::string, std::string>>;

void write_db(const fs::path& p, const Records& records) {
  cdb::Writer w(p);
  for (const auto& [k, v] : records) w.add(k, v);
  w.commit();
}

// tinycdb's command-line tool, if installed (package tinycdb).
const char* cdb_tool() {
  for (const char* p : {"/usr/bin/cdb", "/usr/local/bin/cdb"})
    if (::access(p, X_OK) == 0) return p;
  return nullptr;
}

}  // namespace

TEST_CASE("a committed cdb gives back every record; missing keys are nullopt") {
  TempDir tmp;
  fs::path p = tmp.path / "users.cdb";
  const Records records = {
      {"!alice-", "alice\0" "1000\0" "1000\0/home/alice\0-\0\0"s},
      {"key", "value"},
      {"", "data of the empty key"},
      {"empty-data", ""},
      {"nul\0key"s, "nul\0data"s},
      {"8bit\xff\x80", "\xfe\x01"},
      {"Key", "case matters"},
  };
  write_db(p, records);
  CHECK_FALSE(fs::exists(tmp.path / "users.cdb.tmp"));
  auto db = cdb::Reader::open(p);
  REQUIRE(db.has_value());
  for (const auto& [k, v] : records) {
    INFO("key of " << k.size() << " bytes: " << k);
    CHECK(db->find(k) == v);
  }
  CHECK(db->find("missing") == std::nullopt);
  CHECK(db->find("nul") == std::nullopt);  // a prefix of "nul\0key" is another key
  CHECK(db->find("KEY") == std::nullopt);
}

TEST_CASE("with duplicate keys the first record wins") {
  TempDir tmp;
  fs::path p = tmp.path / "db";
  write_db(p, {{"k", "first"}, {"other", "x"}, {"k", "second"}, {"k", "third"}});
  auto db = cdb::Reader::open(p);
  REQUIRE(db);
  CHECK(db->find("k") == "first");
}

TEST_CASE("an empty cdb is valid and finds nothing") {
  TempDir tmp;
  fs::path p = tmp.path / "db";
  write_db(p, {});
  CHECK(fs::file_size(p) == 2048);  // just the header
  auto db = cdb::Reader::open(p);
  REQUIRE(db);
  CHECK(db->find("") == std::nullopt);
  CHECK(db->find("x") == std::nullopt);
}

TEST_CASE("many records survive hashing into every table") {
  TempDir tmp;
  fs::path p = tmp.path / "db";
  {
    cdb::Writer w(p);
    for (int i = 0; i < 5000; ++i) w.add("key" + std::to_string(i), std::to_string(i * 3));
    w.commit();
  }
  auto db = cdb::Reader::open(p);
  REQUIRE(db);
  for (int i = 0; i < 5000; i += 7) {
    INFO("key" << i);
    CHECK(db->find("key" + std::to_string(i)) == std::to_string(i * 3));
  }
  CHECK(db->find("key5000") == std::nullopt);
}

TEST_CASE("an absent cdb is nullopt, an unreadable or corrupt one a TempError") {
  TempDir tmp;
  CHECK_FALSE(cdb::Reader::open(tmp.path / "absent").has_value());
  mta::io::replace_file(tmp.path / "short", "not a cdb");
  CHECK_THROWS_AS(cdb::Reader::open(tmp.path / "short"), mta::TempError);
  CHECK_THROWS_AS(cdb::Reader::open(tmp.path / "short" / "under-a-file"), mta::TempError);
}

TEST_CASE("a Writer that is not committed leaves neither the target nor the .tmp") {
  TempDir tmp;
  fs::path p = tmp.path / "db";
  {
    cdb::Writer w(p);
    w.add("a", "b");
    CHECK(fs::exists(tmp.path / "db.tmp"));
    CHECK_FALSE(fs::exists(p));
  }
  CHECK_FALSE(fs::exists(tmp.path / "db.tmp"));
  CHECK_FALSE(fs::exists(p));
}

TEST_CASE("an uncommitted rebuild leaves the old database in place") {
  TempDir tmp;
  fs::path p = tmp.path / "db";
  write_db(p, {{"k", "old"}});
  auto before = cdb::Reader::open(p);
  {
    cdb::Writer w(p);
    w.add("k", "new");
    // abandoned without commit
  }
  auto db = cdb::Reader::open(p);
  REQUIRE(db);
  CHECK(db->find("k") == "old");
  // A reader opened before a committed rebuild keeps its snapshot.
  write_db(p, {{"k", "new"}});
  REQUIRE(before);
  CHECK(before->find("k") == "old");
  CHECK(cdb::Reader::open(p)->find("k") == "new");
}

TEST_CASE("a cdb is created with the mode asked for") {
  TempDir tmp;
  fs::path p = tmp.path / "db";
  mode_t old = ::umask(022);
  {
    cdb::Writer w(p, 0640);
    w.add("a", "b");
    w.commit();
  }
  ::umask(old);
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
}

TEST_CASE("a Writer in a missing directory throws TempError") {
  TempDir tmp;
  CHECK_THROWS_AS(cdb::Writer(tmp.path / "no" / "db"), mta::TempError);
}

TEST_CASE("cdb files are interchangeable with tinycdb's cdb tool") {
  const char* tool = cdb_tool();
  if (!tool) {
    WARN("cdb(1) from tinycdb is not installed: cross-check skipped");
    return;
  }
  TempDir tmp;
  SECTION("a file written by cdb -c is readable") {
    // cdbmake input: +klen,dlen:key->data, one per line, an empty line at the end.
    mta::io::replace_file(tmp.path / "in",
                          "+3,5:one->Hello\n+3,7:two->Goodbye\n+3,5:one->Again\n+0,5:->empty\n"
                          "+4,0:none->\n+3,3:a\0b->x\0y\n\n"s);
    auto [status, out] = mta::process::run_capture(
        {tool, "-c", (tmp.path / "tool.cdb").string(), (tmp.path / "in").string()}, "");
    INFO("cdb -c said: " << out);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    auto db = cdb::Reader::open(tmp.path / "tool.cdb");
    REQUIRE(db);
    CHECK(db->find("one") == "Hello");
    CHECK(db->find("two") == "Goodbye");
    CHECK(db->find("") == "empty");
    CHECK(db->find("none") == "");
    CHECK(db->find("a\0b"s) == "x\0y"s);
    CHECK(db->find("three") == std::nullopt);
  }
  SECTION("a file written by us is readable by cdb -q and dumps the same records") {
    fs::path p = tmp.path / "ours.cdb";
    write_db(p, {{"one", "Hello"}, {"two", "Goodbye"}, {"one", "Again"}});
    auto [status, out] = mta::process::run_capture({tool, "-q", "-n", "1", p.string(), "one"}, "");
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(out == "Hello");
    auto [dstatus, dump] = mta::process::run_capture({tool, "-d", p.string()}, "");
    REQUIRE(WIFEXITED(dstatus));
    CHECK(WEXITSTATUS(dstatus) == 0);
    CHECK(dump == "+3,5:one->Hello\n+3,7:two->Goodbye\n+3,5:one->Again\n\n");
  }
}
