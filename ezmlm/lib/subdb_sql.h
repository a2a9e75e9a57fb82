// ezmlm/lib/subdb_sql.h — the SQL subscriber store, program side (ezmlm.md 7).
//
// A list uses SQL when DIR/subdb (or ezmlm-sub's -S) holds
//   plugin:host:port:user:password:database:table
// or the legacy DIR/sql holds host:port:user:password:database:table.
// Empty fields take the defaults: host = the local socket, port = the
// client's default, database and table root "ezmlm". As an extension a
// host starting with '/' is the path of the server's Unix socket.
// Plugins "mysql" and "sql" (ezmlm-idx's name for the legacy file) are
// MySQL/MariaDB; "std" and "" are the file store; others (pgsql, sqlite3)
// are a TempError "not supported by this build".
//
// The SQL code itself lives in the plugin sub-mysql.so (see
// subdb_sql_plugin.h for why), loaded on first use from $EZMLM_LIB (default
// /usr/local/lib/ezmlm), else from ../lib/ezmlm beside the program (the
// build tree). Tables: root for the main list, root_<subdir> for the others
// (root_digest, root_allow, root_deny, root_mod ...), each with _slog;
// main and digest also have _cookie and _mlog (created by create()).
//
// Semantics as ezmlm-idx's sub_sql: contains = LIKE on the address with the
// domain lowercased, then on "@domain"; add inserts hash = sql_hash (djb of
// the lowercased address % 53) or the forced -h value 0..99; remove deletes
// only hash 0..52 (or exactly the -h value), so forced 53..99 entries
// cannot be removed by mail; for_each streams hash 0..52. Every change goes
// to T_slog and to the Log file of the db directory. Addresses are at most
// 255 bytes (the column). Any database trouble is a TempError (111): down,
// refused, timed out (connect 10 s, each read/write 60 s), after one
// reconnect where repeating is safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ezmlm/lib/subdb.h"

namespace ezmlm::sql {

inline constexpr std::size_t max_sql_address_bytes = 255;

struct Spec {
  std::string plugin;
  std::string host;
  unsigned port = 0;
  std::string user;
  std::string password;
  std::string database = "ezmlm";
  std::string table = "ezmlm";
};

// Parses a subdb spec. nullopt for the std store ("" or "std..."). A
// malformed spec (bad port, too many fields, a table root other than
// letters, digits and '_') is a TempError: the mail waits while the
// postmaster fixes the file, as ezmlm-idx does.
std::optional<Spec> parse_spec(std::string_view text);

// The address table of a db: root, or root_<subdir> with every byte other
// than a letter or digit made '_'.
std::string table_name(const Spec& spec, std::string_view subdir);

// The store of subdir (as ListDir::subdir() returns it) on spec's server.
std::unique_ptr<SubscriberStore> open_store(const ListDir& dir, std::string_view subdir, const Spec& spec,
                                            const StoreOptions& options);

}  // namespace ezmlm::sql
