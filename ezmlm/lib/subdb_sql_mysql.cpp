// sub-mysql.so — the MySQL/MariaDB subscriber store (ezmlm.md 7), through
// MySQL Connector/C++ with prepared statements only. The program side is
// subdb_sql.cpp; the interface is the C one of subdb_sql_plugin.h, so no
// exception leaves this file: each entry point catches and reports.
//
// Table layout of ezmlm-idx's sub-mysql, so its lists work unchanged:
//   T        hash TINYINT UNSIGNED (INDEX), address VARCHAR(255) (INDEX 12)
//   T_slog   tai TIMESTAMP, address, fromline, edir CHAR(1), etype CHAR(1)
//   T_cookie msgnum PK, tai, cookie CHAR(20), chunk, bodysize  (main, digest)
//   T_mlog   msgnum, listno, tai, subs, done; PK (listno,msgnum,done)
// Table names cannot be statement parameters: they are checked by the
// program side (letters, digits, '_' only) and quoted with backticks here.
#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ezmlm/lib/subdb_sql_plugin.h"

namespace {

// Client error codes of a connection that went away (errmsg.h): the
// server restarted, a proxy closed it, the socket timed out.
bool connection_lost(const sql::SQLException& e) {
  int code = e.getErrorCode();
  // 4031: MySQL 8's "disconnected by the server because of inactivity".
  return code == 2006 || code == 2013 || code == 2055 || code == 4031 || code == 0;
}

struct Conn {
  ezsql_params p;
  std::string host, user, password, database, table;
  std::unique_ptr<sql::Connection> db;
  // Prepared once per connection: a batch of 100,000 addresses would
  // otherwise pay a prepare round trip per statement.
  std::map<std::string, std::unique_ptr<sql::PreparedStatement>> prepared;
  bool in_transaction = false;
  std::vector<std::array<std::string, 4>> slog;  // address, fromline, edir, etype

  void connect() {
    prepared.clear();
    db.reset();
    sql::ConnectOptionsMap o;
    if (!host.empty() && host[0] == '/') {
      o["hostName"] = sql::SQLString("localhost");
      o["socket"] = sql::SQLString(host);
    } else {
      o["hostName"] = sql::SQLString(host.empty() ? "localhost" : host);
      if (p.port) o["port"] = static_cast<int>(p.port);
    }
    o["userName"] = sql::SQLString(user);
    o["password"] = sql::SQLString(password);
    o["schema"] = sql::SQLString(database);
    o["OPT_CONNECT_TIMEOUT"] = static_cast<int>(p.connect_timeout);
    o["OPT_READ_TIMEOUT"] = static_cast<int>(p.io_timeout);
    o["OPT_WRITE_TIMEOUT"] = static_cast<int>(p.io_timeout);
    o["OPT_RECONNECT"] = false;  // we reconnect ourselves, once, where it is safe
    // Addresses are bytes (8-bit local parts are UTF-8 but old entries may
    // be anything): latin1 maps every byte to one character, so they pass
    // through unchanged and compare with any column charset, as with the
    // classic client library ezmlm-idx was built against.
    o["OPT_CHARSET_NAME"] = sql::SQLString("latin1");
    db.reset(sql::mysql::get_mysql_driver_instance()->connect(o));
    // The connector sets character_set_results itself (to utf8): results
    // must be latin1 as well, or 8-bit addresses come back re-encoded.
    std::unique_ptr<sql::Statement> st(db->createStatement());
    st->execute("SET NAMES latin1");
  }

  std::string t(const char* suffix = "") const { return "`" + table + suffix + "`"; }

  sql::PreparedStatement& prepare(const std::string& q) {
    auto& slot = prepared[q];
    if (!slot) slot.reset(db->prepareStatement(q));
    slot->clearParameters();
    return *slot;
  }

  // tai explicitly: servers with explicit_defaults_for_timestamp (MariaDB
  // 10.10+, MySQL 8) no longer fill the first TIMESTAMP column themselves.
  // In a transaction the _slog rows wait for the commit and go in as
  // multi-row INSERTs (a 100,000-address import would otherwise pay a
  // round trip per row twice).
  void log(const char* address, const char* fromline, char edir, const char* etype) {
    slog.push_back({address, std::string(fromline).substr(0, 255), std::string(1, edir),
                    std::string(etype).substr(0, 1)});
    if (!in_transaction) flush_slog();
  }

  void flush_slog() {
    constexpr std::size_t rows_per_insert = 250;
    // Taken out first: rows that failed are not written again later.
    auto rows = std::move(slog);
    slog.clear();
    for (std::size_t at = 0; at < rows.size(); at += rows_per_insert) {
      std::size_t n = std::min(rows_per_insert, rows.size() - at);
      std::string q = "INSERT INTO " + t("_slog") + " (tai,address,fromline,edir,etype) VALUES ";
      for (std::size_t i = 0; i < n; ++i) q += i ? ",(NOW(),?,?,?,?)" : "(NOW(),?,?,?,?)";
      auto& st = prepare(q);
      for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < 4; ++k) st.setString(static_cast<unsigned>(i * 4 + k + 1), rows[at + i][k]);
      st.executeUpdate();
    }
  }
};

void report(char* err, size_t errlen, const std::string& text) {
  if (!err || errlen == 0) return;
  std::size_t n = std::min(text.size(), errlen - 1);
  std::memcpy(err, text.data(), n);
  err[n] = '\0';
}

std::string describe(const sql::SQLException& e) {
  std::string what = e.what();
  if (what.empty()) what = "unknown";
  return "SQL: " + what + " (error " + std::to_string(e.getErrorCode()) + ")";
}

// Runs f; after a lost connection reconnects and runs it once more when
// `retry` says it is still safe. Returns f's result or -1 with err set.
template <typename F>
int guarded(Conn* c, char* err, size_t errlen, F f, const bool* retry = nullptr) {
  try {
    try {
      if (!c->db || c->db->isClosed()) c->connect();
      return f();
    } catch (const sql::SQLException& e) {
      // Inside a transaction the earlier statements died with the
      // connection: the caller must repeat the whole batch.
      if (!connection_lost(e) || (retry && !*retry) || c->in_transaction) throw;
      c->connect();
      return f();
    }
  } catch (const sql::SQLException& e) {
    report(err, errlen, describe(e));
  } catch (const std::exception& e) {
    report(err, errlen, std::string("SQL: ") + e.what());
  } catch (...) {
    report(err, errlen, "SQL: unknown error");
  }
  return -1;
}

void* sql_open(const ezsql_params* p, char* err, size_t errlen) {
  try {
    auto c = std::make_unique<Conn>();
    c->p = *p;
    c->host = p->host;
    c->user = p->user;
    c->password = p->password;
    c->database = p->database;
    c->table = p->table;
    c->connect();
    return c.release();
  } catch (const sql::SQLException& e) {
    report(err, errlen, describe(e));
  } catch (const std::exception& e) {
    report(err, errlen, std::string("SQL: ") + e.what());
  }
  return nullptr;
}

void sql_close(void* conn) {
  try {
    delete static_cast<Conn*>(conn);
  } catch (...) {
  }
}

int sql_contains(void* conn, const char* pattern, char* err, size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  return guarded(c, err, errlen, [&] {
    auto& st = c->prepare("SELECT address FROM " + c->t() + " WHERE address LIKE ? LIMIT 1");
    st.setString(1, pattern);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() ? 1 : 0;
  });
}

int sql_add(void* conn, const char* address, int hash, const char* fromline, const char* etype, char* err,
            size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  return guarded(c, err, errlen, [&] {
    // sub-mysql's "select, insert if absent" in one round trip.
    auto& ins = c->prepare("INSERT INTO " + c->t() + " (hash,address) SELECT ?,? FROM DUAL WHERE NOT EXISTS" +
                           " (SELECT 1 FROM " + c->t() + " WHERE address=?)");
    ins.setInt(1, hash);
    ins.setString(2, address);
    ins.setString(3, address);
    if (ins.executeUpdate() == 0) return 0;
    c->log(address, fromline, '+', etype);
    return 1;
  });
}

int sql_remove(void* conn, const char* address, int hash, const char* fromline, const char* etype, char* err,
               size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  return guarded(c, err, errlen, [&] {
    sql::PreparedStatement* st;
    if (hash < 0) {
      st = &c->prepare("DELETE FROM " + c->t() + " WHERE address=? AND hash BETWEEN 0 AND 52");
    } else {
      st = &c->prepare("DELETE FROM " + c->t() + " WHERE address=? AND hash=?");
      st->setInt(2, hash);
    }
    st->setString(1, address);
    if (st->executeUpdate() == 0) return 0;
    c->log(address, fromline, '-', etype);
    return 1;
  });
}

// One hash value at a time: each result holds about 1/53 of the list, so
// a million subscribers never sit in memory at once, and the hash INDEX
// serves every query.
int sql_for_each(void* conn, int lo, int hi, ezsql_row_fn fn, void* ctx, char* err, size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  bool nothing_sent = true;
  return guarded(
      c, err, errlen,
      [&] {
        auto& st = c->prepare("SELECT address FROM " + c->t() + " WHERE hash=?");
        for (int h = lo; h <= hi; ++h) {
          st.setInt(1, h);
          std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
          while (rs->next()) {
            std::string a = rs->getString(1);
            nothing_sent = false;
            if (!fn(ctx, a.data(), a.size())) return 0;
          }
        }
        return 0;
      },
      &nothing_sent);
}

// A batch is one transaction: all of it or none, and one commit instead
// of one per address.
int sql_begin(void* conn, char* err, size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  return guarded(c, err, errlen, [&] {
    // A connection the server dropped while we waited (wait_timeout) may
    // only show it on the first statement inside the transaction, where
    // repeating is no longer safe: ping now and reconnect before it starts.
    if (!c->db->isValid()) c->connect();
    c->db->setAutoCommit(false);
    c->in_transaction = true;
    return 0;
  });
}

int sql_end(void* conn, int commit, char* err, size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  int rc = guarded(c, err, errlen, [&] {
    if (commit) {
      c->flush_slog();
      c->db->commit();
    } else {
      c->slog.clear();
      c->db->rollback();
    }
    c->db->setAutoCommit(true);
    return 0;
  });
  c->in_transaction = false;
  c->slog.clear();
  return rc;
}

int sql_create(void* conn, int message_tables, char* err, size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  return guarded(c, err, errlen, [&] {
    std::unique_ptr<sql::Statement> st(c->db->createStatement());
    st->execute("CREATE TABLE IF NOT EXISTS " + c->t() +
                " (hash TINYINT UNSIGNED NOT NULL, address VARCHAR(255) NOT NULL,"
                " INDEX h (hash), INDEX a (address(12))) DEFAULT CHARSET=latin1");
    st->execute("CREATE TABLE IF NOT EXISTS " + c->t("_slog") +
                " (tai TIMESTAMP, address VARCHAR(255) NOT NULL, INDEX (address),"
                " fromline VARCHAR(255) NOT NULL, edir CHAR NOT NULL, etype CHAR NOT NULL, INDEX (tai))"
                " DEFAULT CHARSET=latin1");
    if (message_tables) {
      st->execute("CREATE TABLE IF NOT EXISTS " + c->t("_cookie") +
                  " (msgnum INTEGER UNSIGNED NOT NULL, tai TIMESTAMP NOT NULL, cookie CHAR(20) NOT NULL,"
                  " chunk TINYINT UNSIGNED NOT NULL DEFAULT 0, bodysize INTEGER UNSIGNED NOT NULL DEFAULT 0,"
                  " PRIMARY KEY (msgnum))");
      st->execute("CREATE TABLE IF NOT EXISTS " + c->t("_mlog") +
                  " (msgnum INTEGER UNSIGNED NOT NULL, listno INTEGER UNSIGNED NOT NULL, tai TIMESTAMP,"
                  " subs INTEGER UNSIGNED NOT NULL DEFAULT 0, done TINYINT NOT NULL DEFAULT 0,"
                  " PRIMARY KEY listmsg (listno,msgnum,done))");
    }
    return 0;
  });
}

int sql_destroy(void* conn, char* err, size_t errlen) {
  auto* c = static_cast<Conn*>(conn);
  return guarded(c, err, errlen, [&] {
    std::unique_ptr<sql::Statement> st(c->db->createStatement());
    st->execute("DROP TABLE IF EXISTS " + c->t() + ", " + c->t("_slog") + ", " + c->t("_cookie") + ", " +
                c->t("_mlog"));
    return 0;
  });
}

const ezsql_api api = {ezsql_abi_version, sql_open,   sql_close,   sql_contains, sql_add,   sql_remove,
                       sql_for_each,      sql_create, sql_destroy, sql_begin,    sql_end};

}  // namespace

extern "C" __attribute__((visibility("default"))) const ezsql_api* ezsql_plugin(void) { return &api; }
