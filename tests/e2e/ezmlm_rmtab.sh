#!/bin/bash
# ezmlm-rmtab (ezmlm-idx test 90-cleanup): every subscriber db of the list
# is removed; ezmlm-list then prints nothing and ezmlm-sub fails with 111
# until the dbs exist again; other files of the list stay. ezmlm-list -n
# and subdir arguments on the way.
set -eu
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
L=$ez/list
make_list "$L"
ez ezmlm-sub "$L" a@example.test b@example.test
for sub in digest allow deny mod; do ez ezmlm-sub "$L" $sub "$sub@example.test"; done
[ "$(ez ezmlm-list -n "$L")" = 2 ] || fail "main count"
[ "$(ez ezmlm-list "$L" digest)" = "digest@example.test" ] || fail "digest db"
[ "$(ez ezmlm-list -M "$L" "$L/mod")" = "mod@example.test" ] || fail "mod db by path"

expect_exit ezmlm-rmtab 0 "" "$L"
for sub in . digest allow deny mod; do
  [ ! -e "$L/$sub/subscribers" ] || fail "$sub/subscribers still there"
  [ -z "$(ez ezmlm-list "$L" $sub)" ] || fail "$sub not empty"
done
[ -f "$L/outlocal" ] && [ -f "$L/key" ] && [ -f "$L/Log" ] || fail "rmtab removed other files"
expect_exit ezmlm-sub 111 "ezmlm-sub: fatal: unable to open $L/subscribers/Gn: No such file or directory (#4.3.0)" "$L" c@example.test
SENDER=a@example.test expect_exit ezmlm-issubn 99 "" "$L"
expect_exit ezmlm-rmtab 0 "" "$L"   # nothing left to remove
expect_exit ezmlm-rmtab 100 "ezmlm-rmtab: usage: ezmlm-rmtab [-mMvV] [-S subdb] dir"
# An SQL db whose server cannot be reached: a temporary error, the file
# db untouched (ezmlm_sql.sh drops real tables).
make_list "$ez/sql"
ez ezmlm-sub -M "$ez/sql" keep@example.test
echo "mysql:$ez/no-such-socket::user:pw:ezmlm:list" >"$ez/sql/subdb"
rc=0; ez ezmlm-rmtab "$ez/sql" 2>"$w/err" || rc=$?
[ $rc = 111 ] || fail "ezmlm-rmtab with the server unreachable: exit $rc"
grep -q "^ezmlm-rmtab: fatal: SQL: Can't connect" "$w/err" || fail "stderr: $(cat "$w/err")"
[ "$(ez ezmlm-list -M "$ez/sql")" = "keep@example.test" ] || fail "-M reads the file db"
echo ok
