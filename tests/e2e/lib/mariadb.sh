# tests/e2e/lib/mariadb.sh — a private MariaDB server for one scenario.
#
#   . "$LETTERSHOP_SRC/tests/e2e/lib/mariadb.sh"   (after instance.sh/ezmlm.sh)
#   start_mariadb        # $mdb = its directory, $mdb_sock = its Unix socket;
#                        # database "ezmlm", user "ezmlm" password "ezpw";
#                        # stopped and removed on exit (on_exit)
#   mariadb_spec TABLE   # prints the subdb line for TABLE on this server
#   mdb_sql SQL...       # runs SQL as root in database ezmlm (batch output)
#   kill_mariadb         # SIGKILL, as a crash: clients see a dropped connection
#   restart_mariadb      # start it again on the same data (after kill_mariadb)
#   stop_mariadb         # clean shutdown (also done on exit)
# The server's data is a copy of one mariadb-install-db run (per build
# directory) in a fresh temporary directory; it runs as the current user
# (--user=root when that is root), has no TCP port (--skip-networking) and
# its own socket, pid and error log.
# Small InnoDB buffers and no fsync per commit: it is a test server.

_mdb_run() {
  local user
  user=$(id -un)
  mariadbd --no-defaults --datadir="$mdb/data" --socket="$mdb_sock" --pid-file="$mdb/pid" \
    --skip-networking --user="$user" --log-error="$mdb/error.log" --innodb-buffer-pool-size=32M \
    --innodb-log-file-size=4M --innodb-flush-log-at-trx-commit=2 --skip-log-bin \
    --max-connections=200 >>"$mdb/stdout.log" 2>&1 &
  mdb_pid=$!
  local i
  for i in $(seq 1 200); do
    if [ -S "$mdb_sock" ] && mariadb --no-defaults -S "$mdb_sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$mdb_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$mdb/error.log" >&2
  fail "mariadbd did not start"
}

# mariadb-install-db takes seconds (mostly waiting), so its result is
# kept once per build directory ($LETTERSHOP_BUILD/mariadb-template, made
# under a lock by the first scenario that needs it) and copied per test.
_mdb_template() {
  local base=${LETTERSHOP_BUILD:-$mdb}
  _mdb_tpl=$base/mariadb-template
  [ -d "$_mdb_tpl/data" ] && return 0
  (
    flock 9
    [ -d "$_mdb_tpl/data" ] && exit 0
    rm -rf "$_mdb_tpl.tmp"
    mkdir -p "$_mdb_tpl.tmp" "$_mdb_tpl"
    mariadb-install-db --no-defaults --datadir="$_mdb_tpl.tmp/data" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db --innodb-log-file-size=4M \
      --skip-name-resolve >"$_mdb_tpl.tmp/install.log" 2>&1 ||
      { cat "$_mdb_tpl.tmp/install.log" >&2; exit 1; }
    mv "$_mdb_tpl.tmp/data" "$_mdb_tpl/data"
    rm -rf "$_mdb_tpl.tmp"
  ) 9>"$base/mariadb-template.lock" || fail "mariadb-install-db failed"
}

start_mariadb() {
  command -v mariadbd >/dev/null || fail "mariadbd is not installed (scripts/deps installs mariadb-server)"
  mdb=$(mktemp -d "${TMPDIR:-/tmp}/lettershop-mdb.XXXXXX")
  mdb_sock=$mdb/sock
  on_exit "stop_mariadb; rm -rf '$mdb'"
  _mdb_template
  cp -a "$_mdb_tpl/data" "$mdb/data"
  _mdb_run
  mariadb --no-defaults -S "$mdb_sock" -uroot -e "CREATE DATABASE ezmlm; CREATE USER 'ezmlm'@'localhost' IDENTIFIED BY 'ezpw';
           GRANT ALL ON ezmlm.* TO 'ezmlm'@'localhost';" || fail "cannot create the test database"
}

mariadb_spec() {
  echo "mysql:$mdb_sock::ezmlm:ezpw:ezmlm:$1"
}

mdb_sql() {
  mariadb --no-defaults -S "$mdb_sock" -uroot --batch --skip-column-names ezmlm -e "$*"
}

kill_mariadb() {
  kill -KILL "$mdb_pid" 2>/dev/null || true
  wait "$mdb_pid" 2>/dev/null || true
  rm -f "$mdb_sock" "$mdb/pid"
  mdb_pid=
}

restart_mariadb() {
  _mdb_run
}

stop_mariadb() {
  [ -n "${mdb_pid:-}" ] || return 0
  kill -TERM "$mdb_pid" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    kill -0 "$mdb_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$mdb_pid" 2>/dev/null || true
  wait "$mdb_pid" 2>/dev/null || true
  mdb_pid=
}
