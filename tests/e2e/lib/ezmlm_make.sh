# tests/e2e/lib/ezmlm_make.sh — list scenarios: ezmlm's install paths.
#
#   . "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
#   ezmlm_env DIR     # EZMLM_BIN=$LETTERSHOP_BIN; EZMLM_ETC=DIR/etc with
#                     # default -> $LETTERSHOP_SRC/ezmlm/lang/en_US (exported)
#   ez PROG ARGS...   # runs $LETTERSHOP_BIN/PROG (a new list made by
#                     # ezmlm-make in an "sql:" run: lib/test_store.sh)
. "$LETTERSHOP_SRC/tests/e2e/lib/test_store.sh"

ezmlm_env() {
  mkdir -p "$1/etc"
  ln -sfn "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$1/etc/default"
  EZMLM_BIN=$LETTERSHOP_BIN
  EZMLM_ETC=$1/etc
  export EZMLM_BIN EZMLM_ETC
}

ez() {
  run_ezmlm "$@"
}

# need_programs PROG... — fail unless every PROG is built.
need_programs() {
  local p
  for p; do
    [ -x "$LETTERSHOP_BIN/$p" ] || fail "$p is not built"
  done
}

# list_users USER... — the accounts of a list scenario in an instance made
# by mta_instance or smtp_instance (lib/mta.sh): each USER with a Maildir
# as its .qmail, and the account "owner" whose home ($o) holds the lists;
# users/assign gives it team and team-* (run ezmlm-make "$o/team" ... team).
list_users() {
  local u uid gid
  for u in "$@" owner; do add_user "$u"; done
  o=$(home owner)
  uid=$(id -u)
  gid=$(id -g)
  printf '=team:owner:%s:%s:%s:-:team:\n+team-:owner:%s:%s:%s:-:team-:\n.\n' \
    "$uid" "$gid" "$o" "$uid" "$gid" "$o" >"$dir/users/assign"
  "$LETTERSHOP_BIN/qmail-newu" || fail "qmail-newu failed"
  for u; do
    "$LETTERSHOP_BIN/maildirmake" "$(home "$u")/Maildir"
    echo ./Maildir/ >"$(home "$u")/.qmail"
  done
}
