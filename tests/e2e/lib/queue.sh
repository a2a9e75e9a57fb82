# tests/e2e/lib/queue.sh — helpers for the qmail-queue scenarios.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/queue.sh"
#   queue_instance              # $dir (exported as QMAILHOME) and $Q=$dir/queue
#   queue_inject MSGFILE ENVFILE   # runs qmail-queue; its exit code in $rc
#   queue_assert_clean          # nothing in todo/ intd/ mess/ pid/
#
# queue_instance runs `qmail-setup DIR --sandbox --me example.test` in a
# `mktemp -d` directory when qmail-setup is built, and otherwise lays out the
# queue tree of reference mta.md 2.1 itself (queue/{pid,intd,todo,bounce,
# lock}, queue/{mess,info,local,remote}/0..22, the lock/trigger fifo and the
# sandbox marker). An EXIT trap removes the directory on success and keeps it,
# printing its path, on failure.
#
# Needs LETTERSHOP_BIN (the built programs), as ctest sets it.

set -eu

: "${LETTERSHOP_BIN:?LETTERSHOP_BIN must name the folder of the built programs}"

_queue_cleanup=""

# queue_on_exit CMD - run CMD (a shell string) when the scenario ends
queue_on_exit() {
  _queue_cleanup="$_queue_cleanup
$1"
}

_queue_exit() {
  status=$?
  set +e
  eval "$_queue_cleanup"
  if [ "$status" -eq 0 ]; then
    rm -rf "$dir"
  else
    echo "FAILED (exit $status); instance kept in $dir" >&2
  fi
  exit "$status"
}

# fail MESSAGE - report a failed assertion and end the scenario
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

queue_instance() {
  dir=$(mktemp -d "${TMPDIR:-/tmp}/lettershop-queue.XXXXXX")
  trap _queue_exit EXIT
  if [ -x "$LETTERSHOP_BIN/qmail-setup" ]; then
    out=$("$LETTERSHOP_BIN/qmail-setup" "$dir" --sandbox --me example.test 2>&1) ||
      fail "qmail-setup failed: $out"
  else
    mkdir -p "$dir/bin" "$dir/control" "$dir/users" "$dir/alias"
    ln -s "$LETTERSHOP_BIN/qmail-queue" "$dir/bin/qmail-queue"
    echo example.test >"$dir/control/me"
    q=$dir/queue
    mkdir -p "$q/pid" "$q/intd" "$q/todo" "$q/bounce" "$q/lock"
    for sub in mess info local remote; do
      for i in $(seq 0 22); do mkdir -p "$q/$sub/$i"; done
    done
    mkfifo -m 0622 "$q/lock/trigger"
    : >"$dir/sandbox"
  fi
  Q=$dir/queue
  QMAILHOME=$dir
  export QMAILHOME
}

# queue_inject MSGFILE ENVFILE - qmail-queue with fd 0 and fd 1 from files; sets rc
queue_inject() {
  rc=0
  "$LETTERSHOP_BIN/qmail-queue" <"$1" 1<"$2" || rc=$?
}

# queue_files - every file in todo/ intd/ mess/ pid/, one per line
queue_files() {
  find "$Q/todo" "$Q/intd" "$Q/mess" "$Q/pid" ! -type d | sort
}

# queue_assert_clean WHAT - nothing was left in todo/ intd/ mess/ pid/
queue_assert_clean() {
  left=$(queue_files)
  [ -z "$left" ] || fail "$1: left behind in the queue: $left"
}

# queue_received_re - an extended regex for qmail-queue's Received line
queue_received_re() {
  echo '^Received: \(qmail [0-9]+ invoked by uid '"$(id -u)"'\); [1-9][0-9]? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} -0000$'
}
