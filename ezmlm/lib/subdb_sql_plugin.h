// ezmlm/lib/subdb_sql_plugin.h — the C interface between ezmlm's programs
// and the SQL subscriber-store plugin (sub-mysql.so).
//
// Why a plugin: our programs link libstdc++ statically and start once per
// message (ezmlm-issubn, ezmlm-send). Linking MySQL Connector/C++ into
// them would load the shared libmariadb, libssl, libcrypto and a second,
// shared libstdc++ at every start, whether or not the list uses SQL. So,
// like ezmlm-idx's sub-mysql.so, the SQL code is loaded (dlopen) only when
// a list's subdb/sql file names it.
//
// Why C: the plugin carries its own (shared) libstdc++; the program has
// its static one. No C++ object or exception may cross between the two, so
// the interface is plain C: NUL-terminated strings, ints, a callback. Every
// function returns -1 on error with a one-line message in err (errlen
// bytes, always NUL-terminated); every error is temporary (the database is
// down, refuses, times out) — address checks happen before the call.
#pragma once

#include <stddef.h>

extern "C" {

inline constexpr unsigned ezsql_abi_version = 1;

struct ezsql_params {
  const char* host;      // "" = local socket; "/path" = that Unix socket
  unsigned port;         // 0 = default
  const char* user;
  const char* password;
  const char* database;
  const char* table;     // the address table: root, root_digest, root_allow ...
  unsigned connect_timeout;  // seconds
  unsigned io_timeout;       // seconds, per read and per write
};

// Called once per address; returns 0 to stop the walk.
typedef int (*ezsql_row_fn)(void* ctx, const char* address, size_t len);

struct ezsql_api {
  unsigned abi;
  void* (*open)(const ezsql_params* params, char* err, size_t errlen);
  void (*close)(void* conn);
  // 1 = a stored address matches (LIKE, so the domain case and '_'/'%'
  // behave as in ezmlm-idx), 0 = none.
  int (*contains)(void* conn, const char* pattern, char* err, size_t errlen);
  // Adds address with hash unless address is stored; logs to _slog. 1 = added.
  int (*add)(void* conn, const char* address, int hash, const char* fromline, const char* etype, char* err,
             size_t errlen);
  // Removes address (hash = -1: only entries with hash 0..52); logs. 1 = removed.
  int (*remove)(void* conn, const char* address, int hash, const char* fromline, const char* etype, char* err,
                size_t errlen);
  // Streams addresses with hash lo..hi. A dropped connection is retried
  // only before the first row is passed on (never a row twice).
  int (*for_each)(void* conn, int lo, int hi, ezsql_row_fn fn, void* ctx, char* err, size_t errlen);
  // CREATE TABLE IF NOT EXISTS for the table and its _slog (and _cookie and
  // _mlog with message_tables); DROP TABLE IF EXISTS for all four.
  int (*create)(void* conn, int message_tables, char* err, size_t errlen);
  int (*destroy)(void* conn, char* err, size_t errlen);
  // A transaction around a batch; end commits (commit != 0) or rolls back.
  // A lost connection inside one is not retried: the batch fails whole.
  int (*begin)(void* conn, char* err, size_t errlen);
  int (*end)(void* conn, int commit, char* err, size_t errlen);
};

// The one symbol a plugin exports.
typedef const ezsql_api* (*ezsql_plugin_fn)(void);
#define EZSQL_PLUGIN_SYMBOL "ezsql_plugin"

}  // extern "C"
