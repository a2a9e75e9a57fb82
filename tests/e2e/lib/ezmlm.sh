# tests/e2e/lib/ezmlm.sh — the environment of an ezmlm e2e scenario.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
#   ezmlm_env                  # $ez = fresh dir (trap as instance.sh), $w scratch,
#                              # EZMLM_BIN=$LETTERSHOP_BIN, EZMLM_ETC=$ez/etc with
#                              # etc/default -> $LETTERSHOP_SRC/ezmlm/lang/en_US
#   make_list DIR [LOCAL [HOST]]   # a list directory made by hand, as ezmlm-make's
#                              # standard template leaves it (no .qmail links);
#                              # with LETTERSHOP_TEST_STORE=sql its subscribers
#                              # live in MariaDB (sql_store, lib/mariadb.sh)
#   archived_list              # $d = $ez/list (list@example.test), archived and
#                              # indexed; QMAILHOME=$ez for the queue program
#   fake_qmail_queue [EXIT]    # QMAILQUEUE=<script saving fd 0 to $ez/qq.msg and
#                              # fd 1 to $ez/qq.env, exiting EXIT (default 0)>
#   envelope_text FILE         # the envelope with NULs shown as '|'
#   db_files DIR [SUBDIR]      # the db's bucket files and bytes, for "unchanged" checks
#   ez PROG ARGS...            # runs $LETTERSHOP_BIN/PROG
# Scenarios that need the real MTA use lib/instance.sh's new_instance as well.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/test_store.sh"

ezmlm_env() {
  ez=$(mktemp -d "${TMPDIR:-/tmp}/lettershop-ezmlm.XXXXXX")
  instance_trap "$ez"
  w=$ez/work
  mkdir -p "$w" "$ez/etc"
  ln -s "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$ez/etc/default"
  EZMLM_BIN=$LETTERSHOP_BIN
  EZMLM_ETC=$ez/etc
  export EZMLM_BIN EZMLM_ETC
  unset SENDER LOCAL HOST DEFAULT DTLINE QMAILQUEUE EZMLM_LIB || true
}

make_list() {
  local d=$1 local_part=${2:-list} host=${3:-example.test}
  mkdir -p "$d"
  echo "$local_part" >"$d/outlocal"
  echo "$host" >"$d/outhost"
  : >"$d/ezmlmrc"
  head -c 200 /dev/urandom >"$d/key"
  for sub in . digest allow deny mod; do
    mkdir -p "$d/$sub/subscribers"
    : >"$d/$sub/lock"
  done
  mkdir -p "$d/text" "$d/bounce" "$d/digest/bounce" "$d/archive"
  on_sql && sql_store "$d"
  return 0
}

# sql_store DIR - DIR's subscribers move to MariaDB (lib/test_store.sh):
# DIR/subdb names new tables, made by ezmlm-sql-migrate. make_list does
# this for every list when LETTERSHOP_TEST_STORE=sql (the "e2e: sql:NAME"
# runs of the ezmlm scenarios).
sql_store() {
  new_sql_spec
  echo "$sql_spec" >"$1/subdb"
  "$LETTERSHOP_BIN/ezmlm-sql-migrate" "$1" to-sql >/dev/null || fail "cannot make the SQL tables of $1"
}

archived_list() {
  QMAILHOME=$ez
  export QMAILHOME
  d=$ez/list
  make_list "$d" list example.test
  touch "$d/archived" "$d/indexed"
}

fake_qmail_queue() {
  cat >"$ez/fake-qq" <<SCRIPT
#!/bin/sh
cat >"$ez/qq.msg" || exit 54
cat <&1 >"$ez/qq.env" || exit 54
exit ${1:-0}
SCRIPT
  chmod +x "$ez/fake-qq"
  QMAILQUEUE=$ez/fake-qq
  export QMAILQUEUE
  rm -f "$ez/qq.msg" "$ez/qq.env"
}

envelope_text() {
  tr '\0' '|' <"$1"
}

db_files() {
  local d=$1/${2:-.}/subscribers f
  for f in "$d"/*; do
    [ -e "$f" ] || continue
    printf '%s:' "${f##*/}"
    tr '\0' '|' <"$f"
    echo
  done
}

ez() {
  run_ezmlm "$@"
}
