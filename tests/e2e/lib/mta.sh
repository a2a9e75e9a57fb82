# tests/e2e/lib/mta.sh — a running sandbox mail system for the delivery scenarios.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
#   mta_instance                  # new_instance (me: example.test) + $dir/home
#   add_user fred                 # account in users/passwd, home $dir/home/fred
#   start_mta [DEFAULTDELIVERY]   # qmail-start (default ./Mailbox); waits for
#                                 # the first "status:" line; stops it on exit
#   enqueue FROM TO... <MESSAGE   # straight into qmail-queue (exact bytes)
#   inject FROM TO... <MESSAGE    # through qmail-inject -f FROM
#   wait_queue_empty [SECONDS]    # qmail-qstat says 0 and 0
#   wait_log REGEX [SECONDS]      # a log line matches (grep -E)
#   wait_file FILE [SECONDS]      # FILE exists and is not empty
#   run_queue                     # ALRM to qmail-send: retry everything now
#   stop_mta                      # TERM, wait for "status: exiting"
#   expect_text FILE WHAT <TEXT   # FILE is exactly TEXT, else fail WHAT + diff
#   bounce_paragraph BOX          # qmail-send's explanation in a bounce
#   kill_mta                      # SIGKILL qmail-send and all it started
#
# The mail system runs as qmail-start does in a service file: with an empty
# environment (env -, plus PATH and QMAILHOME) and its log — qmail-send's
# fd 0 — on qmail-start's stdout, which goes to $mta_log ($dir/log; each
# start appends). qmail-start execs qmail-send, so $mta_pid is qmail-send.
#
# Accounts: a sandbox takes them from $dir/users/passwd; every uid and gid
# is the caller's (the sandbox rule), each home a 0755 directory under
# $dir/home owned by the caller.

. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"

mta_pid=""
mta_log=""
MTA_PATH=/usr/local/bin:/usr/bin:/bin

# mta_instance [HOSTNAME] - the instance, its log file and the homes folder
mta_instance() {
  new_instance "$@"
  mkdir "$dir/home"
  mta_log=$dir/log
  : >"$mta_log"
  on_exit 'kill_mta_quietly'
}

# add_user NAME - a sandbox account NAME with an empty home $dir/home/NAME
add_user() {
  mkdir -m 0755 "$dir/home/$1"
  echo "$1:x:$(id -u):$(id -g):$1:$dir/home/$1:/bin/sh" >>"$dir/users/passwd"
}

# home NAME - the home directory of the account NAME
home() {
  echo "$dir/home/$1"
}

# start_mta [DEFAULTDELIVERY] - run qmail-start and wait until qmail-send is up
start_mta() {
  [ -x "$dir/bin/qmail-start" ] || fail "qmail-start is not built (no $dir/bin/qmail-start)"
  [ -z "$mta_pid" ] || fail "start_mta: the mail system is already running"
  local before
  before=$(wc -l <"$mta_log")
  # qmail-start gets a clean environment, as its man page asks; only the
  # sanitizer settings of the ASan build pass through, so that a report
  # from any daemon lands in scripts/test's report folder, not in a pipe,
  # and DNSCACHEIP (lib/remote.sh's DNS server), as a run script's envdir
  # would pass it to qmail-remote.
  local keep="" v
  for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS DNSCACHEIP; do
    if [ -n "$(printenv "$v" || true)" ]; then keep="$keep $v=$(printenv "$v")"; fi
  done
  # shellcheck disable=SC2086 # $keep is a list of NAME=value words without spaces
  env - PATH="$MTA_PATH" QMAILHOME="$dir" $keep "$dir/bin/qmail-start" "${1:-./Mailbox}" \
    >>"$mta_log" 2>&1 </dev/null &
  mta_pid=$!
  local i
  for i in $(seq 1 100); do
    if tail -n +"$((before + 1))" "$mta_log" | grep -q '^status: local 0/10 remote 0/20$'; then
      return 0
    fi
    if ! kill -0 "$mta_pid" 2>/dev/null; then
      wait "$mta_pid" 2>/dev/null || true
      mta_pid=""
      fail "qmail-start exited before qmail-send logged its status; log: $(tail -n +"$((before + 1))" "$mta_log")"
    fi
    sleep 0.1
  done
  fail "no 'status: local 0/10 remote 0/20' within 10 s; log: $(tail -n +"$((before + 1))" "$mta_log")"
}

# mta_tree PID - PID and all its descendants, children first
mta_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    mta_tree "$child"
  done
  echo "$1"
}

# stop_mta - TERM qmail-send, which finishes running deliveries, logs
# "status: exiting" and exits 0; its helpers then see EOF and exit too
stop_mta() {
  [ -n "$mta_pid" ] || return 0
  local helpers i rc=0
  helpers=$(ps -o pid= --ppid "$mta_pid" 2>/dev/null || true)
  kill -TERM "$mta_pid" 2>/dev/null || true
  for i in $(seq 1 300); do
    kill -0 "$mta_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$mta_pid" 2>/dev/null; then
    kill_mta
    fail "qmail-send did not exit within 30 s of TERM"
  fi
  wait "$mta_pid" 2>/dev/null || rc=$?
  mta_pid=""
  [ "$rc" -eq 0 ] || fail "qmail-send exited $rc after TERM; log: $(tail -n 5 "$mta_log")"
  [ "$(tail -n 1 "$mta_log")" = "status: exiting" ] ||
    fail "the last log line after TERM is not 'status: exiting': $(tail -n 3 "$mta_log")"
  # The helpers (qmail-lspawn, qmail-rspawn, qmail-clean) follow on EOF.
  for i in $(seq 1 100); do
    local alive=""
    for pid in $helpers; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
    [ -n "$alive" ] || return 0
    sleep 0.1
  done
  fail "helpers still running 10 s after qmail-send exited:$(for p in $alive; do printf ' %s' "$(cat /proc/"$p"/comm 2>/dev/null)"; done)"
}

# kill_mta - SIGKILL qmail-send and every process under it (a crash)
kill_mta() {
  [ -n "$mta_pid" ] || return 0
  local pids
  pids=$(mta_tree "$mta_pid")
  # Stop the whole tree first so nothing starts a new child meanwhile.
  kill -STOP $pids 2>/dev/null || true
  pids="$pids $(for p in $pids; do mta_tree "$p"; done)"
  kill -KILL $pids 2>/dev/null || true
  wait "$mta_pid" 2>/dev/null || true
  mta_pid=""
}

kill_mta_quietly() {
  kill_mta >/dev/null 2>&1 || true
}

# run_queue - ALRM: qmail-send retries every message now
run_queue() {
  [ -n "$mta_pid" ] || fail "run_queue: the mail system is not running"
  kill -ALRM "$mta_pid"
}

# enqueue FROM TO... - qmail-queue the message on stdin, envelope from the arguments
enqueue() {
  local from=$1 env
  shift
  env=$(mktemp "$dir/envelope.XXXXXX")
  { printf 'F%s\0' "$from"; for to; do printf 'T%s\0' "$to"; done; printf '\0'; } >"$env"
  local rc=0
  "$dir/bin/qmail-queue" 1<"$env" || rc=$?
  rm -f "$env"
  [ "$rc" -eq 0 ] || fail "qmail-queue exited $rc"
}

# inject FROM TO... - qmail-inject -fFROM TO... with the message on stdin
inject() {
  local from=$1
  shift
  "$dir/bin/qmail-inject" -f"$from" "$@" || fail "qmail-inject exited $?"
}

# wait_log REGEX [SECONDS] - until a line of the log matches (grep -E)
wait_log() {
  local i
  for i in $(seq 1 $((${2:-20} * 10))); do
    grep -Eq -- "$1" "$mta_log" && return 0
    sleep 0.1
  done
  fail "no log line matching '$1' within ${2:-20} s; log:
$(cat "$mta_log")"
}

# wait_file FILE [SECONDS] - until FILE exists and is not empty
wait_file() {
  local i
  for i in $(seq 1 $((${2:-20} * 10))); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  fail "$1 did not appear within ${2:-20} s; log:
$(cat "$mta_log")"
}

# queue_counts - "<messages> <not yet preprocessed>" from qmail-qstat
queue_counts() {
  "$dir/bin/qmail-qstat" | awk -F': ' '
    /^messages in queue: / { a = $2 }
    /^messages in queue but not yet preprocessed: / { b = $2 }
    END { print a + 0, b + 0 }'
}

# wait_queue_empty [SECONDS] - until qmail-qstat reports 0 and 0
wait_queue_empty() {
  local i
  for i in $(seq 1 $((${1:-30} * 10))); do
    [ "$(queue_counts)" = "0 0" ] && return 0
    sleep 0.1
  done
  fail "queue not empty after ${1:-30} s: $("$dir/bin/qmail-qstat" | tr '\n' ' '); log:
$(cat "$mta_log")"
}

# log_msg_id REGEX - the message id of the first "starting delivery" line
# whose recipient part matches REGEX ("to local fred@example.test")
log_msg_id() {
  sed -nE "s/^starting delivery [0-9]+: msg ([0-9]+) $1\$/\\1/p" "$mta_log" | head -n 1
}

# date822_re - qmail's RFC 822 date as an extended regex
date822_re='[1-9][0-9]? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} -0000'
# ctime_re - the ctime-style date of an mbox From_ line
ctime_re='(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}'

# log_sequence [FIRST_LINE] - the log, from line FIRST_LINE (1) on, holds
# lines matching the extended regexes on stdin (one a line, each anchored
# as a whole line) in that order; other lines may come between them
log_sequence() {
  local first=${1:-1} want missing
  want=$(cat)
  # (through the environment: awk -v would interpret the backslashes)
  missing=$(tail -n +"$first" "$mta_log" | WANT=$want awk '
    BEGIN { n = split(ENVIRON["WANT"], re, "\n"); i = 1 }
    i <= n && $0 ~ ("^" re[i] "$") { i++ }
    END { if (i <= n) print re[i] }')
  [ -z "$missing" ] || fail "log line /$missing/ missing or out of order; log from line $first:
$(tail -n +"$first" "$mta_log")"
}

# expect_text FILE WHAT - FILE holds exactly the text on stdin; else fail
# with "WHAT:" and the diff (the expected text and the diff stay in $dir)
expect_text() {
  local base
  base=$dir/$(basename "$1")
  cat >"$base.expected"
  diff "$base.expected" "$1" >"$base.diff" || fail "$2:
$(cat "$base.diff")"
}

# bounce_paragraph BOX - the bounce in BOX from "Hi. This is the qmail-send
# program" to "--- Below this line" (the explanation and the failed addresses)
bounce_paragraph() {
  awk '/^Hi\. This is the qmail-send program/,/^--- Below this line/' "$1"
}

# mail_normalise FILE - FILE with qmail's variable parts replaced after
# their formats are checked: Date values -> DATE, qmail-queue Received
# lines -> "Received: QMAIL", the ctime of an mbox From_ line -> CTIME
mail_normalise() {
  local rx="^Received: \\(qmail [0-9]+ invoked (for bounce|by uid [0-9]+|by alias)\\); $date822_re\$"
  if grep '^Date: ' "$1" | grep -Evq "^Date: $date822_re\$"; then fail "bad Date field in $1: $(grep '^Date:' "$1")"; fi
  if grep '^Received: (qmail' "$1" | grep -Evq "$rx"; then fail "bad Received line in $1: $(grep '^Received:' "$1")"; fi
  sed -E "s/^Date: $date822_re\$/Date: DATE/; s/$rx/Received: QMAIL/; s/^(From [^ ]+) $ctime_re\$/\\1 CTIME/" "$1"
}
