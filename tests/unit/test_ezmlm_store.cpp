// The std subscriber store: file format, case rules, wildcards, legacy
// buckets, refused addresses leaving the files alone, Log lines, batches.
#include <catch2/catch.hpp>

#include <fstream>
#include <algorithm>
#include <set>

#include "ezmlm/lib/hash.h"
#include "ezmlm/lib/subdb.h"
#include "ezmlm/lib/tools.h"
#include "mta/core/io.h"
#include "tmpdir.h"

using namespace ezmlm;
namespace fs = std::filesystem;

namespace {
std::time_t fixed_clock() { return 1795536000; }

struct List {
  lettershop_test::TempDir tmp{"ezmlm-store"};
  Env env = Env::defaults();
  std::unique_ptr<ListDir> dir;
  List() {
    env.etc = (tmp.path / "etc").string();
    dir = std::make_unique<ListDir>(tmp.path, env);
    for (const char* sub : {"", "allow", "deny"}) {
      fs::create_directories(tmp.path / sub);
      open(sub)->create();
    }
  }
  std::unique_ptr<SubscriberStore> open(std::string_view sub, StoreOptions o = {}) {
    o.clock = fixed_clock;
    return open_store(*dir, sub, o);
  }
  std::string bucket(char letter, std::string_view sub = "") const {
    return mta::io::read_file(tmp.path / sub / "subscribers" / std::string(1, letter)).value_or("");
  }
  std::string log(std::string_view sub = "") const {
    return mta::io::read_file(tmp.path / sub / "Log").value_or("");
  }
  // Every bucket file's bytes, to prove nothing changed.
  std::string snapshot() const {
    std::string all;
    for (int i = 0; i < bucket_count; ++i) all += bucket(char('@' + i)) + "|";
    return all + log();
  }
  std::set<std::string> members(std::string_view sub = "") {
    std::set<std::string> out;
    open(sub)->for_each([&](std::string_view a) {
      out.emplace(a);
      return true;
    });
    return out;
  }
};
}  // namespace

TEST_CASE("bad addresses are refused and nothing changes", "[ezmlm][store]") {
  List l;
  l.open("")->add("keep@example.com", "manual", "");
  std::string before = l.snapshot();
  const std::string bad[] = {
      "no-at-sign", "", std::string("nul\0@x.example", 15), "line\n@x.example", "cr\r@x.example",
      std::string(390, 'a') + "@example.com",  // 402 bytes
  };
  for (const auto& a : bad) {
    INFO(a);
    CHECK_THROWS_AS(l.open("")->add(a, "manual", ""), BadAddress);
    CHECK_THROWS_AS(l.open("")->remove(a, "manual", ""), BadAddress);
    CHECK(l.snapshot() == before);
  }
  // One bad address refuses the whole batch.
  std::vector<Subscription> batch = {{"good1@example.com", ""}, {"bad", ""}, {"good2@example.com", ""}};
  CHECK_THROWS_AS(l.open("")->add_batch(batch, "manual"), BadAddress);
  CHECK(l.snapshot() == before);
  // A new address: 254 bytes (RFC 5321) is fine, 255 is not; 8-bit only as UTF-8.
  CHECK(l.open("")->add(std::string(242, 'a') + "@example.com", "manual", ""));
  CHECK_THROWS_AS(l.open("")->add(std::string(243, 'a') + "@example.com", "manual", ""), BadAddress);
  CHECK(l.open("")->add("caf\xc3\xa9@example.com", "manual", ""));
  for (const char* eight : {"caf\xe9@example.com", "\xc0\xaf@example.com", "\xed\xa0\x80@example.com",
                            "x\xf4\x90\x80\x80@example.com", "cut\xc3@example.com"}) {
    INFO(eight);
    CHECK_THROWS_AS(l.open("")->add(eight, "manual", ""), BadAddress);
  }
  // Removal keeps ezmlm-idx's 400-byte limit, so old long entries can go.
  CHECK_FALSE(l.open("")->remove(std::string(388, 'a') + "@example.com", "manual", ""));
}

TEST_CASE("records are T address NUL in the 7.x bucket, domain lowercased", "[ezmlm][store]") {
  List l;
  auto s = l.open("");
  CHECK(s->add("xyZZy@hoSt", "manual", ""));
  char letter = letter_7x("xyzzy@host");
  CHECK(l.bucket(letter) == std::string("TxyZZy@host\0", 12));
  CHECK(s->contains("XYZZY@HOST"));
  CHECK(s->contains("xyzzy@host"));
  CHECK_FALSE(s->contains("xyzzy@host2"));
  CHECK_FALSE(s->add("XYZZY@host", "manual", ""));  // already there, any case
  CHECK(l.members() == std::set<std::string>{"xyZZy@host"});
  CHECK(l.log() == "1795536000 +manual xyZZy@host\n");
  CHECK(s->remove("xyzzy@HOST", "manual", ""));
  CHECK_FALSE(s->contains("xyZZy@host"));
  CHECK_FALSE(s->remove("xyzzy@HOST", "manual", ""));
  CHECK(l.log() == "1795536000 +manual xyZZy@host\n1795536000 -manual xyzzy@host\n");
  CHECK_FALSE(fs::exists(l.tmp.path / "subscribers" / (std::string(1, letter) + "n")));
}

TEST_CASE("an @domain entry matches every address of the domain", "[ezmlm][store]") {
  List l;
  auto deny = l.open("deny");
  CHECK(deny->add("@BadExample.com", "manual", ""));
  CHECK(deny->contains("anyone@badexample.com"));
  CHECK(deny->contains("Other@BADEXAMPLE.COM"));
  CHECK_FALSE(deny->contains("anyone@goodexample.com"));
  CHECK_FALSE(deny->contains("anyone@sub.badexample.com"));
  CHECK_FALSE(l.open("")->contains("anyone@badexample.com"));  // other db
}

TEST_CASE("entries in legacy and case-sensitive buckets are found and removed", "[ezmlm][store]") {
  List l;
  // user@example.com: 7.x 'Y', legacy 'W'. Planted as an old install left it.
  REQUIRE(letter_7x("user@example.com") == 'Y');
  REQUIRE(letter_legacy("user@example.com") == 'W');
  mta::io::replace_file(l.tmp.path / "subscribers" / "W", std::string("Tuser@example.com\0Tother@x.example\0", 34));
  // A mixed-case local part filed under its case-sensitive 7.x letter.
  char cs = letter_7x("MiXed@example.com");
  char lc = letter_7x("mixed@example.com");
  REQUIRE(cs != lc);
  mta::io::replace_file(l.tmp.path / "subscribers" / std::string(1, cs), std::string("TMiXed@example.com\0", 19));

  auto s = l.open("");
  CHECK(s->contains("user@example.com"));
  CHECK(s->contains("MiXed@EXAMPLE.com"));  // the case it was filed under
  CHECK_FALSE(s->add("USER@example.com", "manual", ""));  // no duplicate in 'Y'
  CHECK(l.bucket('Y').empty());
  CHECK(s->remove("user@example.com", "manual", ""));
  CHECK(l.bucket('W') == std::string("Tother@x.example\0", 17));
  CHECK_FALSE(s->contains("user@example.com"));
  // Another case cannot be hashed to that bucket: removal scans for it.
  CHECK(s->remove("MIXED@example.com", "manual", ""));
  CHECK(l.bucket(cs).empty());
  CHECK_FALSE(s->contains("MiXed@example.com"));
  CHECK_FALSE(s->remove("MIXED@example.com", "manual", ""));
}

TEST_CASE("contains compares whole records, across reads, to a bucket cut short", "[ezmlm][store]") {
  List l;
  char y = letter_7x("user@example.com");
  // Near-misses first: a longer address with the key as its prefix, the key
  // as a suffix, a record of another kind and an empty one.
  std::string bucket("Tuser@example.com.evil\0Txuser@example.com\0Xuser@example.com\0\0", 62);
  mta::io::replace_file(l.tmp.path / "subscribers" / std::string(1, y), bucket);
  auto s = l.open("");
  CHECK_FALSE(s->contains("user@example.com"));
  // Past the first 256 KB read, with a record across the read boundary.
  std::string big = bucket;
  for (int i = 0; big.size() < 600 * 1024; ++i) big += "Tfiller" + std::to_string(i) + "@example.com" + std::string(1, '\0');
  mta::io::replace_file(l.tmp.path / "subscribers" / std::string(1, y), big + std::string("TUser@Example.com\0", 18));
  CHECK(s->contains("user@example.com"));
  // a record in the middle of the big file, of an address that hashes there
  int middle = 9000;
  while (letter_7x("filler" + std::to_string(middle) + "@example.com") != y) ++middle;
  CHECK(s->contains("FILLER" + std::to_string(middle) + "@example.com"));
  // A file cut short: the last record has no NUL and still counts.
  mta::io::replace_file(l.tmp.path / "subscribers" / std::string(1, y), big + "Tuser@example.com");
  CHECK(s->contains("USER@example.com"));
  mta::io::replace_file(l.tmp.path / "subscribers" / std::string(1, y), big + "Tuser@example.co");
  CHECK_FALSE(s->contains("user@example.com"));
}

TEST_CASE("batches add each address once and log one line each", "[ezmlm][store]") {
  List l;
  auto s = l.open("");
  std::vector<Subscription> batch;
  for (int i = 0; i < 500; ++i) batch.push_back({"user" + std::to_string(i) + "@Example.COM", ""});
  batch.push_back({"USER7@example.com", ""});  // duplicate in the batch
  batch.push_back({"named@example.com", "Joe\tUser\x01"});
  CHECK(s->add_batch(batch, "import") == 501);
  CHECK(l.members().size() == 501);
  CHECK(l.members().count("user7@example.com") == 1);
  std::string log = l.log();
  CHECK(std::count(log.begin(), log.end(), '\n') == 501);
  CHECK(log.find("1795536000 +import user0@example.com\n") == 0);
  CHECK(log.find("1795536000 +import named@example.com Joe User?\n") != std::string::npos);
  CHECK(s->add_batch(batch, "import") == 0);
  std::vector<Subscription> gone(batch.begin(), batch.begin() + 100);
  CHECK(s->remove_batch(gone, "") == 100);
  CHECK(l.members().size() == 401);
  CHECK(l.log().find("1795536000 - user0@example.com\n") != std::string::npos);
}

TEST_CASE("forcehash files an address in the given bucket", "[ezmlm][store]") {
  List l;
  StoreOptions o;
  o.forcehash = 3;
  CHECK(l.open("", o)->add("forced@example.com", "manual", ""));
  CHECK(l.bucket('C') == std::string("Tforced@example.com\0", 20));
  CHECK(l.open("")->contains("forced@example.com") == (letter_7x("forced@example.com") == 'C'));
  CHECK(l.open("", o)->contains("forced@example.com"));
  CHECK(l.open("", o)->remove("forced@example.com", "manual", ""));
  o.forcehash = 99;  // out of range for std: ignored
  CHECK(l.open("", o)->add("forced@example.com", "manual", ""));
  CHECK(l.bucket(letter_7x("forced@example.com")).find("forced@") != std::string::npos);
}

TEST_CASE("destroy removes the db; adding then fails, listing is empty", "[ezmlm][store]") {
  List l;
  l.open("")->add("a@b.example", "manual", "");
  l.open("")->destroy();
  CHECK_FALSE(fs::exists(l.tmp.path / "subscribers"));
  CHECK(l.members().empty());
  CHECK_FALSE(l.open("")->contains("a@b.example"));
  CHECK_THROWS_AS(l.open("")->add("a@b.example", "manual", ""), mta::TempError);
}

TEST_CASE("an SQL store that cannot be reached is a temporary failure; -M (force_std) and \"std\" use the files", "[ezmlm][store]") {
  List l;
  mta::io::replace_file(l.tmp.path / "subdb", "mysql:localhost::u:p:db:list\n");
  CHECK_THROWS_AS(l.open(""), mta::TempError);
  StoreOptions o;
  o.force_std = true;
  CHECK_NOTHROW(l.open("", o));
  mta::io::replace_file(l.tmp.path / "subdb", "std\n");
  CHECK_NOTHROW(l.open(""));
}

TEST_CASE("import lines: comments, CRLF, names and escapes", "[ezmlm][store]") {
  CHECK_FALSE(parse_import_line("", false).has_value());
  CHECK_FALSE(parse_import_line("#a@b", true).has_value());
  CHECK_FALSE(parse_import_line(" \t\r", false).has_value());
  CHECK(parse_import_line("a@b\r", false)->address == "a@b");
  CHECK(parse_import_line("a b@c", false)->address == "a b@c");  // without -n the line is the address
  auto s = parse_import_line("joe@x.example Joe Example ", true);
  CHECK(s->address == "joe@x.example");
  CHECK(s->comment == "Joe Example");
  s = parse_import_line("a\\ b@x,Ann", true);
  CHECK(s->address == "a b@x");
  CHECK(s->comment == "Ann");
  s = parse_import_line("tab@x\tT", true);
  CHECK(s->comment == "T");
  CHECK(parse_import_line("end@x\\", true)->address == "end@x");
}

TEST_CASE("store options from ezmlm-sub's switches", "[ezmlm][store]") {
  auto opts = [](std::vector<std::string> args) {
    std::vector<char*> argv;
    static std::string prog = "ezmlm-sub";
    argv.push_back(prog.data());
    for (auto& a : args) argv.push_back(a.data());
    return store_options(parse_command_line(int(argv.size()), argv.data(), "h:HmMnNvVS:t:"));
  };
  CHECK_FALSE(opts({"dir"}).force_std);
  CHECK(opts({"-M", "dir"}).force_std);
  CHECK_FALSE(opts({"-M", "-m", "dir"}).force_std);
  CHECK(opts({"-h", "7", "dir"}).forcehash == 7);
  CHECK_FALSE(opts({"-h7", "-H", "dir"}).forcehash.has_value());
  CHECK_FALSE(opts({"-hxyz", "dir"}).forcehash.has_value());
  CHECK(opts({"-S", "std", "dir"}).spec == "std");
}

TEST_CASE("refusals name the reason from text/messages and the address", "[ezmlm][store]") {
  List l;
  try {
    check_address("noat", l.dir.get());
    FAIL("accepted");
  } catch (const BadAddress& e) {
    CHECK(std::string(e.what()) == "the address has no '@': noat");
    CHECK(e.dsn() == "5.1.3");
  }
  fs::create_directories(l.tmp.path / "text");
  mta::io::replace_file(l.tmp.path / "text" / "messages", "ERR_ADDR_LONG:too long for us\n");
  ListDir fresh(l.tmp.path, l.env);
  try {
    check_address(std::string(401, 'a') + "\n@x", &fresh);  // NL is checked first
    FAIL("accepted");
  } catch (const BadAddress& e) {
    CHECK(std::string(e.what()) == "the address contains a line break or a NUL: " + std::string(60, 'a') + "...");
  }
  try {
    check_address(std::string(401, 'a') + "@x", &fresh);
    FAIL("accepted");
  } catch (const BadAddress& e) {
    CHECK(std::string(e.what()) == "too long for us: " + std::string(60, 'a') + "...");
    CHECK(e.dsn().empty());
  }
}
