# tests/e2e/lib/instance.sh — a throw-away sandbox instance for one e2e scenario.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
#   new_instance                # QMAILHOME=<fresh dir>, exported; also $dir
#   new_instance mail.example.org   # the same with another control/me
#   ... run programs, assert with fail "why" ...
#   expect_exit PROG CODE STDERR ARGS... <INPUT   # needs $w (scratch folder)
#
# new_instance runs `qmail-setup DIR --sandbox --me example.test` in a
# `mktemp -d` directory and sets an EXIT trap: on success the directory is
# removed; on failure (non-zero exit status) it is kept and its path printed,
# so the queue and logs can be inspected. A scenario that needs its own
# cleanup adds it with `on_exit 'command'` instead of replacing the trap.
# lib/queue.sh and lib/rootns.sh build on the same fail, on_exit and trap.
#
# Needs LETTERSHOP_BIN (the built programs), as ctest sets it.

set -eu

: "${LETTERSHOP_BIN:?LETTERSHOP_BIN must name the folder of the built programs}"

_instance_cleanup=""
_instance_on_failure=""
_instance_dir=""

# on_exit CMD - run CMD (a shell string) when the scenario ends, before cleanup
on_exit() {
  _instance_cleanup="$_instance_cleanup
$1"
}

# on_failure CMD - run CMD only if the scenario failed, after the on_exit ones
on_failure() {
  _instance_on_failure="$_instance_on_failure
$1"
}

_instance_exit() {
  status=$?
  set +e
  eval "$_instance_cleanup"
  if [ "$status" -eq 0 ]; then
    rm -rf "$_instance_dir"
  else
    eval "$_instance_on_failure"
    echo "FAILED (exit $status); instance kept in $_instance_dir" >&2
  fi
  exit "$status"
}

# instance_trap DIR - on exit run the on_exit commands, then remove DIR if
# the scenario passed, or keep it and print its path if it failed
instance_trap() {
  _instance_dir=$1
  trap _instance_exit EXIT
}

# fail MESSAGE - report a failed assertion and end the scenario
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_exit PROGRAM CODE STDERR ARGS... - run $LETTERSHOP_BIN/PROGRAM ARGS...
# (stdin as the caller gives it, stdout to $w/out, stderr to $w/err) and
# fail unless it exits CODE with exactly STDERR on stderr; exit code in $rc
expect_exit() {
  local prog=$1 want_rc=$2 want_err=$3
  shift 3
  rc=0
  "$LETTERSHOP_BIN/$prog" "$@" >"$w/out" 2>"$w/err" || rc=$?
  [ "$rc" = "$want_rc" ] || fail "$prog $*: exit $rc, want $want_rc ($(cat "$w/err"))"
  [ "$(cat "$w/err")" = "$want_err" ] || fail "$prog $*: stderr '$(cat "$w/err")', want '$want_err'"
}

# new_instance [HOSTNAME] - create and export the instance (me: example.test)
new_instance() {
  dir=$(mktemp -d "${TMPDIR:-/tmp}/lettershop-e2e.XXXXXX")
  instance_trap "$dir"
  setup_out=$("$LETTERSHOP_BIN/qmail-setup" "$dir" --sandbox --me "${1:-example.test}" 2>&1) ||
    fail "qmail-setup failed: $setup_out"
  QMAILHOME=$dir
  export QMAILHOME
}
