# tests/e2e/lib/queue.sh — helpers for the qmail-queue scenarios.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/queue.sh"
#   queue_instance              # $dir (exported as QMAILHOME) and $Q=$dir/queue
#   queue_inject MSGFILE ENVFILE   # runs qmail-queue; its exit code in $rc
#   queue_assert_clean          # nothing in todo/ intd/ mess/ pid/
#
# queue_instance is lib/instance.sh's new_instance (fail, on_exit and the
# EXIT trap come from there too).

. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"

# queue_instance - new_instance, plus $Q, its queue folder
queue_instance() {
  new_instance
  Q=$dir/queue
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
