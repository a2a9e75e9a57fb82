#!/bin/bash
# e2e: the MySQL/MariaDB subscriber store on a private mariadbd (issue 9,
# ezmlm.md 7): ezmlm-make -6 creates ezmlm-idx's tables, the tools work on
# them, tables written as ezmlm-idx's sub-mysql writes them are read, LIKE
# and forced-hash semantics, the legacy sql file, -M and -S, bad specs and
# a database that is down, hung or refuses (111, nothing lost), ezmlm-sql-migrate
# both ways compared with ezmlm-list, and ezmlm-rmtab dropping the tables.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/mariadb.sh"
ezmlm_env
start_mariadb
home=$ez/home
mkdir -p "$home"

# ezmlm-make -6: the subdb file and every table of sub-mysql.
spec=$(mariadb_spec team)
ez ezmlm-make -6 "$spec" "$ez/team" "$home/.qmail-team" team example.test 2>"$w/err" ||
  fail "ezmlm-make -6: $(cat "$w/err")"
[ "$(cat "$ez/team/subdb")" = "$spec" ] || fail "subdb: $(cat "$ez/team/subdb")"
tables=$(mdb_sql "SHOW TABLES" | tr '\n' ' ')
want="team team_allow team_allow_slog team_cookie team_deny team_deny_slog team_digest team_digest_cookie team_digest_mlog team_digest_slog team_mlog team_mod team_mod_slog team_slog "
[ "$tables" = "$want" ] || fail "tables after ezmlm-make -6: $tables"
[ "$(mdb_sql "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_NAME='team' ORDER BY ORDINAL_POSITION" | tr '\t\n' ': ')" = "hash:tinyint address:varchar " ] ||
  fail "team columns"

# The tools on SQL: domain lowercased, hash djb%53, _slog and Log.
L=$ez/team
ez ezmlm-sub "$L" Joe@Example.COM other@x.org
ez ezmlm-sub "$L" digest dig@x.org
ez ezmlm-sub -n "$L" <<<'named@x.org "Named Person"'
[ "$(ez ezmlm-list "$L" | sort | tr '\n' ' ')" = "Joe@example.com named@x.org other@x.org " ] ||
  fail "ezmlm-list: $(ez ezmlm-list "$L")"
[ "$(ez ezmlm-list "$L" digest)" = dig@x.org ] || fail "digest list"
[ "$(ez ezmlm-list -n "$L")" = 3 ] || fail "count"
[ "$(mdb_sql "SELECT hash FROM team WHERE address='other@x.org'")" = "$(python3 -c '
h = 5381
for c in b"other@x.org": h = ((h * 33) ^ c) & (2**64 - 1)
print(h % 53)')" ] || fail "hash is not djb % 53"
[ "$(mdb_sql "SELECT edir, etype, fromline FROM team_slog WHERE address='named@x.org'" | tr '\t' '|')" = '+|m|"Named Person"' ] ||
  fail "slog: $(mdb_sql "SELECT * FROM team_slog")"
[ "$(mdb_sql "SELECT COUNT(*) FROM team_slog WHERE tai IS NULL")" = 0 ] || fail "slog without time"
grep -q ' +manual Joe@example.com$' "$L/Log" || fail "Log: $(cat "$L/Log")"
[ ! -e "$L/subscribers" ] || [ -z "$(ls "$L/subscribers")" ] || fail "the std store was written"
SENDER=JOE@EXAMPLE.com expect_exit ezmlm-issubn 0 "" "$L"
SENDER=nobody@x.org expect_exit ezmlm-issubn 99 "" "$L"
SENDER=dig@x.org expect_exit ezmlm-issubn 0 "" "$L" digest
SENDER=dig@x.org expect_exit ezmlm-issubn 99 "" "$L"
# sub-mysql's '=' compares in the column's case-insensitive collation.
ez ezmlm-unsub "$L" joe@EXAMPLE.com
[ "$(ez ezmlm-list -n "$L")" = 2 ] || fail "unsub"
grep -q ' -manual joe@example.com$' "$L/Log" || fail "Log -manual"

# 8-bit (UTF-8) local parts go in and come out byte for byte, whatever
# the column's charset (latin1 on the connection, as ezmlm-idx's client).
ez ezmlm-sub "$L" 'jörg@x.org' '日本@x.org'
ez ezmlm-list "$L" | grep -x 'jörg@x.org' >/dev/null || fail "UTF-8 address changed: $(ez ezmlm-list "$L" | od -c | head -3)"
ez ezmlm-list "$L" | grep -x '日本@x.org' >/dev/null || fail "UTF-8 address changed"
SENDER='日本@X.org' expect_exit ezmlm-issubn 0 "" "$L"
ez ezmlm-unsub "$L" 'jörg@x.org' '日本@x.org'
[ "$(ez ezmlm-list -n "$L")" = 2 ] || fail "UTF-8 unsub"

# Forced hash: 99 (sublists) cannot be removed without -h, and is not listed.
ez ezmlm-sub -h 99 "$L" sub@lists.example
[ "$(mdb_sql "SELECT hash FROM team WHERE address='sub@lists.example'")" = 99 ] || fail "forced hash"
SENDER=sub@lists.example expect_exit ezmlm-issubn 0 "" "$L"
ez ezmlm-unsub "$L" sub@lists.example
[ "$(mdb_sql "SELECT COUNT(*) FROM team WHERE address='sub@lists.example'")" = 1 ] || fail "hash 99 removed"
ez ezmlm-list "$L" | grep sub@lists.example >/dev/null && fail "hash 99 listed"
ez ezmlm-unsub -h 99 "$L" sub@lists.example
[ "$(mdb_sql "SELECT COUNT(*) FROM team WHERE address='sub@lists.example'")" = 0 ] || fail "unsub -h 99"

# A list made by ezmlm-idx: rows as sub-mysql writes them, a wildcard, and
# the sender as a LIKE pattern ('_' matches any byte) as ezmlm-idx has it.
mdb_sql "INSERT INTO team (hash,address) VALUES (7,'Old@legacy.example'),(8,'@wild.example'),(9,'aXb@x.org')"
SENDER=old@LEGACY.example expect_exit ezmlm-issubn 0 "" "$L"
SENDER=anyone@wild.example expect_exit ezmlm-issubn 0 "" "$L"
SENDER=a_b@x.org expect_exit ezmlm-issubn 0 "" "$L"
SENDER=ab@x.org expect_exit ezmlm-issubn 99 "" "$L"
ez ezmlm-list "$L" | grep -x Old@legacy.example >/dev/null || fail "legacy row not listed"

# -M forces the file store; -S names another database.
mkdir "$L/subscribers"
ez ezmlm-sub -M "$L" filestore@x.org
[ "$(ez ezmlm-list -M "$L")" = filestore@x.org ] || fail "-M"
ez ezmlm-list "$L" | grep filestore@x.org >/dev/null && fail "-M wrote to SQL"
mkdir -p "$ez/other/subscribers"
ez ezmlm-sql-migrate -S "$(mariadb_spec other)" "$ez/other" to-sql >/dev/null
ez ezmlm-sub -S "$(mariadb_spec other)" "$ez/other" via-s@x.org
[ "$(mdb_sql "SELECT address FROM other")" = via-s@x.org ] || fail "-S"

# The legacy sql file (no plugin field).
mkdir -p "$ez/legacy/subscribers"
echo "$mdb_sock::ezmlm:ezpw:ezmlm:team" >"$ez/legacy/sql"
SENDER=other@x.org expect_exit ezmlm-issubn 0 "" "$ez/legacy"

# Bad specs are temporary errors (the mail waits for the fix), nothing written.
B=$ez/bad
mkdir -p "$B/subscribers"
for s in "mysql:host:12x:u:p:d:t" "mysql:host:70000" "mysql:h:1:u:p:d:t:extra" "mysql:h::u:p:d:bad-table" \
         "mysql:h::u:p:d:x\`y"; do
  echo "$s" >"$B/subdb"
  rc=0; ez ezmlm-sub "$B" a@x.org 2>"$w/err" || rc=$?
  [ $rc = 111 ] || fail "spec $s: exit $rc"
  grep -q "bad subscriber database spec" "$w/err" || fail "spec $s: $(cat "$w/err")"
done
echo "pgsql:h::u:p:d:t" >"$B/subdb"
SENDER=a@x.org expect_exit ezmlm-issubn 111 \
  'ezmlm-issubn: fatal: subscriber database "pgsql" is not supported by this build (#4.3.0)' "$B"
[ -z "$(ls "$B/subscribers")" ] || fail "a bad spec wrote the std store"
# Refused: wrong password, unknown database.
echo "mysql:$mdb_sock::ezmlm:wrong:ezmlm:team" >"$B/subdb"
rc=0; SENDER=other@x.org ez ezmlm-issubn "$B" 2>"$w/err" || rc=$?
[ $rc = 111 ] && grep -q "Access denied" "$w/err" || fail "wrong password: $rc $(cat "$w/err")"

# A connection the server dropped (idle past wait_timeout) while ezmlm-sub
# waited for its stdin: one reconnect, the import goes in.
mdb_sql "SET GLOBAL wait_timeout=1"
aborted=$(mdb_sql "SHOW GLOBAL STATUS LIKE 'Aborted_clients'" | cut -f2)
{ sleep 3; echo late1@x.org; echo late2@x.org; } | ez ezmlm-sub "$L" 2>"$w/err" || fail "ezmlm-sub after an idle drop: $(cat "$w/err")"
mdb_sql "SET GLOBAL wait_timeout=28800"
[ "$(mdb_sql "SHOW GLOBAL STATUS LIKE 'Aborted_clients'" | cut -f2)" -gt "$aborted" ] ||
  fail "the server did not drop the idle connection (the reconnect was not exercised)"
[ "$(mdb_sql "SELECT COUNT(*) FROM team WHERE address LIKE 'late_@x.org'")" = 2 ] || fail "import after reconnect"
ez ezmlm-unsub "$L" late1@x.org late2@x.org

# Hung (SIGSTOP): the connect timeout (10 s) ends the wait with 111.
kill -STOP "$mdb_pid"
t0=$SECONDS
rc=0; SENDER=other@x.org ez ezmlm-issubn "$L" 2>"$w/err" || rc=$?
kill -CONT "$mdb_pid"
[ $rc = 111 ] || fail "issubn with the server hung: exit $rc"
[ $((SECONDS - t0)) -le 20 ] || fail "issubn waited $((SECONDS - t0)) s for a hung server"
grep -q "fatal: SQL: " "$w/err" || fail "hung: $(cat "$w/err")"

# Down: every tool defers (111) and nothing is lost; back up: all there.
before=$(ez ezmlm-list "$L" | sort)
kill_mariadb
for cmd in "ezmlm-sub $L new@x.org" "ezmlm-unsub $L other@x.org" "ezmlm-list $L"; do
  rc=0; $LETTERSHOP_BIN/$cmd >/dev/null 2>"$w/err" || rc=$?
  [ $rc = 111 ] || fail "$cmd with the database down: exit $rc"
  grep -q "fatal: SQL: " "$w/err" || fail "$cmd: $(cat "$w/err")"
done
rc=0; SENDER=other@x.org ez ezmlm-issubn "$L" 2>/dev/null || rc=$?
[ $rc = 111 ] || fail "issubn with the database down: exit $rc (a subscriber must not look unsubscribed)"
restart_mariadb
[ "$(ez ezmlm-list "$L" | sort)" = "$before" ] || fail "subscribers changed while down"

# ezmlm-sql-migrate: a std list with all five dbs to SQL and back.
M=$ez/mig
make_list "$M" mig example.test
rm -f "$M/subdb"
for sub in "" digest allow deny mod; do
  for i in 1 2 3; do ez ezmlm-sub -M "$M" $sub "u$i-${sub:-main}@Host$i.example"; done
done
ez ezmlm-sub -M "$M" "@wild.example"
ez ezmlm-sql-migrate -S "$(mariadb_spec mig)" "$M" to-sql >"$w/out"
grep -qx "main: 4 copied" "$w/out" || fail "migrate output: $(cat "$w/out")"
for sub in "" digest allow deny mod; do
  ez ezmlm-list -M "$M" $sub | sort >"$w/std"
  ez ezmlm-list -S "$(mariadb_spec mig)" "$M" $sub | sort >"$w/sql"
  cmp -s "$w/std" "$w/sql" || fail "to-sql ${sub:-main}: $(diff "$w/std" "$w/sql")"
done
# Back into an empty file store.
N=$ez/back
make_list "$N" back example.test
rm -f "$N/subdb"
ez ezmlm-sql-migrate -S "$(mariadb_spec mig)" "$N" to-std >/dev/null
for sub in "" digest allow deny mod; do
  ez ezmlm-list -M "$M" $sub | sort >"$w/std"
  ez ezmlm-list -M "$N" $sub | sort >"$w/back"
  cmp -s "$w/std" "$w/back" || fail "to-std ${sub:-main}: $(diff "$w/std" "$w/back")"
done
SENDER=u2-deny@host2.example expect_exit ezmlm-issubn 0 "" "$N" deny
expect_exit ezmlm-sql-migrate 100 "ezmlm-sql-migrate: usage: ezmlm-sql-migrate [-vV] [-S subdb] dir to-sql|to-std" "$N" sideways

# ezmlm-rmtab drops every table of the list; then ezmlm-sub defers.
ez ezmlm-rmtab "$L"
[ -z "$(mdb_sql "SHOW TABLES LIKE 'team%'")" ] || fail "tables left: $(mdb_sql "SHOW TABLES LIKE 'team%'")"
rc=0; ez ezmlm-sub "$L" a@x.org 2>/dev/null || rc=$?
[ $rc = 111 ] || fail "ezmlm-sub after ezmlm-rmtab: exit $rc"

echo ok
