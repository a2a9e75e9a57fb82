#!/bin/sh
# qmail-send's start-up refusals and HUP (reference mta.md 4.1, 4.5): the
# "alert: cannot start: ..." lines with exit 111, and HUP rereading
# virtualdomains.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
. "$LETTERSHOP_SRC/tests/e2e/lib/send.sh"

# cannot_start WHY FD-REDIRECTIONS... - run qmail-send alone, expect the alert
cannot_start() {
  _why=$1
  : >"$dir/alone.log"
  _status=0
  sh -c 'exec "$0" 0>>"$1" 1>/dev/null 2</dev/null 3>/dev/null 4</dev/null 5>/dev/null 6</dev/null' \
    "$LETTERSHOP_BIN/qmail-send" "$dir/alone.log" || _status=$?
  [ "$_status" -eq 111 ] || fail "exit $_status, want 111, for: $_why"
  [ "$(cat "$dir/alone.log")" = "alert: cannot start: $_why" ] ||
    fail "log: $(cat "$dir/alone.log"), want: alert: cannot start: $_why"
}

# No spawner wrote its slot byte.
cannot_start 'hath the daemon spawn no fire?'

# Neither locals nor me.
mv "$dir/control/locals" "$dir/control/locals.off"
mv "$dir/control/me" "$dir/control/me.off"
cannot_start 'unable to read controls'
mv "$dir/control/locals.off" "$dir/control/locals"
mv "$dir/control/me.off" "$dir/control/me"

# The cleanup pass at start-up (reference 2.5): a mess file older than 36 h
# with neither info nor todo is removed; a young one stays. A message with
# info but no local or remote file is completed at start-up (pqstart).
old=$dir/queue/mess/$((100 % 23))/100
young=$dir/queue/mess/$((101 % 23))/101
kept=$dir/queue/mess/$((102 % 23))/102
for f in "$old" "$young" "$kept"; do echo x >"$f"; done
touch -a -d '2 days ago' "$old" "$kept"
printf 'Fa@b\0' >"$dir/queue/info/$((102 % 23))/102"

# A second qmail-send on the same queue.
start_send
wait_log '^status: local 0/10 remote 0/20$'
cannot_start 'qmail-send is already running'
# wait_gone FILE WHY - wait up to 10 s for FILE to disappear
wait_gone() {
  i=0
  while [ -e "$1" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "$2"
    sleep 0.1
  done
}
wait_gone "$old" "stale mess file not cleaned up"
[ -e "$young" ] || fail "young mess file removed"
wait_log '^end msg 102$'
wait_gone "$kept" "completed message's mess file left"
[ -e "$dir/queue/info/$((102 % 23))/102" ] && fail "completed message's info file left"
rm -f "$young"

# HUP rereads virtualdomains.
: >"$log"
echo 'virt.test:vbox' >"$dir/control/virtualdomains"
kill -HUP "$send_pid"
sleep 0.5
printf 'Subject: v\n\nhello\n' | "$LETTERSHOP_BIN/qmail-inject" -fbob@remote.test joe@virt.test ||
  fail "qmail-inject failed"
wait_log '^end msg '
grep -q '^starting delivery 1: msg [0-9]* to local vbox-joe@virt.test$' "$log" ||
  fail "virtualdomains not reread on HUP: $(cat "$log")"
stop_send
exit 0
