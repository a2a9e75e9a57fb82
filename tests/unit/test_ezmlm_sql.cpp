// The SQL store's configuration: subdb specs (malformed first), table names,
// and the program side's failures (a server that is not there is a
// TempError naming the cause). The store against a real server is
// tests/e2e/ezmlm_sql*.sh.
#include <catch2/catch.hpp>

#include "ezmlm/lib/subdb.h"
#include "ezmlm/lib/subdb_sql.h"
#include "mta/core/io.h"
#include "tmpdir.h"

using namespace ezmlm;
namespace fs = std::filesystem;

TEST_CASE("subdb specs: malformed ones are temporary errors", "[ezmlm][sql]") {
  struct Row { const char* spec; const char* why; };
  const Row rows[] = {
      {"mysql:h:12x:u:p:d:t", "bad port"},
      {"mysql:h:-1:u:p:d:t", "bad port"},
      {"mysql:h:65536", "bad port"},
      {"mysql:h: 1", "bad port"},
      {"mysql:h:1:u:p:d:t:x", "more than 7 fields"},
      {"mysql:h::u:p:d:bad-name", "table root"},
      {"mysql:h::u:p:d:a`b", "table root"},
      {"mysql:h::u:p:d:a b", "table root"},
      {"mysql:h::u:p:d:a;DROP", "table root"},
      {"mysql:h::u:p:d:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "table root"},  // 49 bytes
      {"my-sql:h", "plugin name"},
  };
  for (const auto& r : rows) {
    INFO(r.spec);
    try {
      sql::parse_spec(r.spec);
      FAIL("accepted");
    } catch (const mta::TempError& e) {
      std::string what = e.what();
      CHECK_THAT(what, Catch::Contains("bad subscriber database spec"));
      CHECK_THAT(what, Catch::Contains(r.why));
    }
  }
  // Other plugins of ezmlm-idx are named as such.
  for (const char* other : {"pgsql:h::u:p:d:t", "sqlite3::::::list"}) {
    INFO(other);
    CHECK_THROWS_WITH(sql::parse_spec(other), Catch::Contains("is not supported by this build"));
  }
}

TEST_CASE("subdb specs: fields, defaults and the std store", "[ezmlm][sql]") {
  CHECK_FALSE(sql::parse_spec("").has_value());
  CHECK_FALSE(sql::parse_spec("std").has_value());
  CHECK_FALSE(sql::parse_spec("std:whatever").has_value());
  CHECK_FALSE(sql::parse_spec(":host").has_value());  // empty plugin = std, as ezmlm-idx

  auto s = sql::parse_spec("mysql:db.example:3307:joe:se cret:lists:team");
  REQUIRE(s);
  CHECK(s->plugin == "mysql");
  CHECK(s->host == "db.example");
  CHECK(s->port == 3307);
  CHECK(s->user == "joe");
  CHECK(s->password == "se cret");
  CHECK(s->database == "lists");
  CHECK(s->table == "team");

  auto d = sql::parse_spec("mysql");
  REQUIRE(d);
  CHECK(d->host.empty());
  CHECK(d->port == 0);
  CHECK(d->database == "ezmlm");
  CHECK(d->table == "ezmlm");
  auto e = sql::parse_spec("sql:/run/mysqld/mysqld.sock::u:p::");  // the legacy sql file, prefixed
  REQUIRE(e);
  CHECK(e->plugin == "sql");
  CHECK(e->host == "/run/mysqld/mysqld.sock");
  CHECK(e->database == "ezmlm");
  CHECK(e->table == "ezmlm");
}

TEST_CASE("table names per db", "[ezmlm][sql]") {
  sql::Spec s;
  s.table = "list";
  CHECK(sql::table_name(s, "") == "list");
  CHECK(sql::table_name(s, ".") == "list");
  CHECK(sql::table_name(s, "digest") == "list_digest");
  CHECK(sql::table_name(s, "allow") == "list_allow");
  CHECK(sql::table_name(s, "mod") == "list_mod");
  CHECK(sql::table_name(s, "extra/sub-db") == "list_extra_sub_db");
  CHECK(sql::table_name(s, "x`y") == "list_x_y");
}

TEST_CASE("an SQL server that is not there: TempError, nothing written", "[ezmlm][sql]") {
  lettershop_test::TempDir tmp("ezmlm-sql");
  fs::create_directories(tmp.path / "subscribers");
  Env env = Env::defaults();
  env.etc = (tmp.path / "etc").string();
  ListDir dir(tmp.path, env);
  mta::io::replace_file(tmp.path / "subdb", "mysql:" + (tmp.path / "no.sock").string() + "::u:p:d:list\n");
  try {
    open_store(dir, "");
    FAIL("opened");
  } catch (const mta::TempError& e) {
    // The plugin loaded (or its absence is named) and the cause is shown.
    std::string what = e.what();
    bool named = what.find("SQL: ") != std::string::npos || what.find("sub-mysql.so") != std::string::npos;
    CHECK(named);
  }
  StoreOptions std_only;
  std_only.force_std = true;
  open_store(dir, "", std_only)->add("a@b.example", "manual", "");
  CHECK(fs::is_empty(tmp.path / "subscribers") == false);
  bool sql_logged = fs::exists(tmp.path / "Log") && mta::io::read_file(tmp.path / "Log")->find("SQL") != std::string::npos;
  CHECK_FALSE(sql_logged);
}
