# tests/e2e/lib/test_store.sh — the subscriber store a list scenario runs on.
#
# Every ezmlm scenario is run twice by ctest: "e2e: NAME" on the std store
# and "e2e: sql:NAME" with LETTERSHOP_TEST_STORE=sql, where the lists'
# subscribers live in the scenario's own MariaDB (lib/mariadb.sh). Lists
# made by hand get there through make_list (lib/ezmlm.sh); lists made by
# ezmlm-make through make_args here, which gives a new list "-6 SPEC".

# on_sql — true in the "sql:" run of a scenario.
on_sql() { [ "${LETTERSHOP_TEST_STORE:-std}" = sql ]; }

# new_sql_spec — sets $sql_spec to a subdb spec for new tables t1, t2 ...
# on the scenario's server, started on first use (in this shell, so that
# its on_exit stops it).
new_sql_spec() {
  if [ -z "${mdb:-}" ]; then
    . "$LETTERSHOP_SRC/tests/e2e/lib/mariadb.sh"
    start_mariadb
  fi
  _ezmlm_sql_n=$((${_ezmlm_sql_n:-0} + 1))
  sql_spec=$(mariadb_spec "t$_ezmlm_sql_n")
}

# makes_new_list ARGS... — true when ezmlm-make ARGS creates a list (no
# -e / -+ edit switch among its options).
makes_new_list() {
  while (($#)); do
    case $1 in
      --) return 0 ;;
      -[C03456789]) shift 2 ;;     # a switch with its argument apart
      -[C03456789]*) shift ;;      # ... or attached
      -*) case $1 in *[e+]*) return 1 ;; esac; shift ;;
      *) return 0 ;;
    esac
  done
  return 0
}

# run_ezmlm PROG ARGS... — runs $LETTERSHOP_BIN/PROG; in the sql: run a new
# list made by ezmlm-make gets its subscribers in MariaDB (-6 SPEC).
run_ezmlm() {
  local prog=$1
  shift
  if [ "$prog" = ezmlm-make ] && on_sql && makes_new_list "$@"; then
    new_sql_spec
    set -- -6 "$sql_spec" "$@"
  fi
  "$LETTERSHOP_BIN/$prog" "$@"
}
