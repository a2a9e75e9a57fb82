#!/bin/bash
# SIGKILL the mail system at random points while 500 messages are
# delivered: after restarts every message is delivered at least once, none
# is lost, and the queue ends empty — in bounded time.
#
# 250 messages are queued before qmail-send starts and 250 more while it
# runs (and while it is dead: qmail-queue's trigger then finds no reader and
# the next start's todo scan picks them up). Up to 20 times the whole tree
# (qmail-send, qmail-lspawn, qmail-rspawn, qmail-clean and the running
# qmail-local processes) is stopped and SIGKILLed at a random moment 0.05-1
# s after it started, so kills land in todo preprocessing, in deliveries,
# between a delivery and its 'D' mark, and in completion; then it is
# started again. Finally it runs undisturbed until info/, local/,
# remote/, todo/ and bounce/ are empty. Every message (an X-Crash-Id header)
# must be in ~fred/Maildir/new at least once; duplicates are allowed (a
# delivery whose report was lost is redone, as in qmail). No bounce may
# have been sent. mess/ may keep a file only in the states qmail-send's
# 36-hour cleanup removes (no info, no todo).
# A process killed with SIGKILL cannot run LeakSanitizer's exit-time check
# (in the sanitizer build): turn that check off for the mail system this
# scenario kills; AddressSanitizer's own checks stay on.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
add_user joe
md=$(home fred)/Maildir
mkdir -p "$md/tmp" "$md/new" "$md/cur"
Q=$dir/queue
total=500 kills_max=${CRASH_KILLS:-20} deadline=$((SECONDS + 300))

queue_one() {
  printf 'Subject: crash %s\nX-Crash-Id: %s\n\nmessage %s\n' "$1" "$1" "$1" |
    enqueue joe@example.test fred@example.test
}
for n in $(seq 1 250); do queue_one "$n"; done

# The second half, queued in the background at a steady pace.
( for n in $(seq 251 "$total"); do
    queue_one "$n" || { echo "$n" >>"$dir/enqueue.failed"; }
    sleep 0.01
  done ) &
feeder=$!
on_exit "kill $feeder 2>/dev/null"

# pending - files in the queue's state directories (0 when all is done)
pending() {
  find "$Q/info" "$Q/local" "$Q/remote" "$Q/todo" "$Q/bounce" -type f | wc -l
}
delivered() {
  cat "$md"/new/* 2>/dev/null | sed -n 's/^X-Crash-Id: //p' | sort -un | wc -l
}

kills=0
while [ "$kills" -lt "$kills_max" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "deadline passed during the kill cycles ($kills kills)"
  start_mta ./Maildir/
  sleep "$(printf '0.%02d' $((5 + RANDOM % 95)))"
  kill_mta
  kills=$((kills + 1))
  echo "kill $kills: $(delivered) of $total delivered, $(pending) queue files pending"
  if ! kill -0 "$feeder" 2>/dev/null && [ "$(pending)" = 0 ] && [ -z "$(ls "$Q/todo")" ]; then
    break
  fi
done
wait "$feeder" || true
[ ! -e "$dir/enqueue.failed" ] || fail "qmail-queue failed for: $(cat "$dir/enqueue.failed")"

start_mta ./Maildir/
while [ "$(pending)" != 0 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "after $kills kills, $(pending) queue files still pending at the deadline; $(delivered) delivered"
  sleep 0.2
done
stop_mta

got=$(delivered)
files=$(find "$md/new" -type f | wc -l)
echo "$kills kills; $got of $total messages delivered, $files Maildir files ($((files - got)) duplicates)"
if [ "$got" != "$total" ]; then
  missing=$(comm -23 <(seq 1 "$total" | sort) <(cat "$md"/new/* | sed -n 's/^X-Crash-Id: //p' | sort -u))
  fail "lost messages: $(echo "$missing" | head -20 | tr '\n' ' ')"
fi
# Every file is a whole message.
for f in "$md"/new/*; do
  tail -n 1 "$f" | grep -Eqx 'message [0-9]+' || fail "$f is not a whole message"
done
[ ! -e "$(home joe)/Mailbox" ] || fail "a bounce was sent: $(head -40 "$(home joe)/Mailbox")"
[ -z "$(ls "$dir/alias/Maildir/new")" ] || fail "something reached postmaster"
# Leftover mess files: only the states the 36-hour cleanup removes.
for m in $(find "$Q/mess" -type f); do
  id=${m##*/}
  [ ! -e "$Q/info/$((id % 23))/$id" ] && [ ! -e "$Q/todo/$id" ] || fail "mess $id still has info or todo"
  echo "leftover mess/$((id % 23))/$id (no info, no todo: removed by the cleanup pass after 36 h)"
done
echo ok
