#!/bin/bash
# qmail-queue killed at any moment never leaves a todo entry for a partial message.
#
# 200 injections of a 1 MB message, each fed slowly (four 256 KiB pieces,
# then the envelope in three pieces, with pauses) and each sent SIGKILL after
# a random delay between 0 and 160 ms, so that some die before the pid file,
# some during the copy, some while the envelope is read, and some complete.
# Afterwards every todo/<id> has intd/<id> as the same inode, a mess file
# with inode <id> holding the Received line and exactly the 1 MB, and a
# complete envelope; every run that exited 0 is among them; every other
# leftover is a pid/ file or a message in state S2 (mess only) or S3 (mess
# and intd) — the states qmail-send's cleanup removes.
# A process killed with SIGKILL cannot run LeakSanitizer's exit-time check
# (in the sanitizer build): turn that check off for the programs this
# scenario kills; AddressSanitizer's own checks stay on.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
. "$LETTERSHOP_SRC/tests/e2e/lib/queue.sh"
queue_instance
work=$dir/work
mkdir "$work"
runs=${QUEUE_CRASH_RUNS:-200}

head -c 1048576 /dev/urandom >"$work/big"
uid=$(id -u)

feed_message() {
  for k in 0 1 2 3; do
    dd if="$work/big" bs=262144 skip=$k count=1 status=none || return 0
    sleep 0.01
  done
}
# The envelope pipe fills only after the message has been read (qmail-queue
# reads fd 1 after fd 0 ends), so that kills also land while intd is written.
feed_envelope() {
  sleep 0.08
  printf 'Fsender@example.test\0' || return 0
  sleep 0.02
  printf 'Trcpt1@example.test\0' || return 0
  sleep 0.02
  printf 'Trcpt2@example.test\0\0'
}

completed="" killed=0
for i in $(seq 1 "$runs"); do
  delay=$(printf '0.%03d' $((RANDOM % 160)))
  "$LETTERSHOP_BIN/qmail-queue" < <(feed_message) 1< <(feed_envelope) &
  qq=$!
  # Every tenth run is left alone: completions are guaranteed however slow the machine.
  if [ $((i % 10)) -ne 0 ]; then
    sleep "$delay"
    kill -KILL "$qq" 2>/dev/null || true
  fi
  rc=0
  { wait "$qq"; } 2>/dev/null || rc=$?
  case $rc in
    0) completed="$completed $qq" ;;
    137) killed=$((killed + 1)) ;;
    *) fail "run $i: qmail-queue exited $rc (neither 0 nor killed)" ;;
  esac
done
wait  # the feeders of killed runs

# The committed messages: todo/<id> = intd/<id>, full mess, full envelope.
size=1048576
queued_pids=" "
for t in "$Q"/todo/*; do
  [ -e "$t" ] || continue
  id=${t##*/}
  mess=$Q/mess/$((id % 23))/$id
  [ "$(stat -c %i "$Q/intd/$id" 2>/dev/null)" = "$(stat -c %i "$t")" ] || fail "todo/$id: intd/$id missing or another inode"
  [ -f "$mess" ] || fail "todo/$id: no mess file"
  [ "$(stat -c %i "$mess")" = "$id" ] || fail "todo/$id: mess inode differs"
  head -n 1 "$mess" >"$work/received"
  grep -Eq "$(queue_received_re)" "$work/received" || fail "todo/$id: bad Received line"
  [ "$(stat -c %s "$mess")" -eq $(($(wc -c <"$work/received") + size)) ] || fail "todo/$id: mess has $(stat -c %s "$mess") bytes"
  tail -c "$size" "$mess" | cmp -s - "$work/big" || fail "todo/$id: mess does not hold the message"
  pid=$(sed -E 's/^Received: \(qmail ([0-9]+) .*/\1/' "$work/received")
  printf 'u%s\0p%s\0Fsender@example.test\0Trcpt1@example.test\0Trcpt2@example.test\0' "$uid" "$pid" >"$work/expected"
  cmp -s "$t" "$work/expected" || fail "todo/$id: envelope is not complete: $(od -c "$t" | head -3)"
  queued_pids="$queued_pids$pid "
done
for qq in $completed; do
  case $queued_pids in *" $qq "*) ;; *) fail "qmail-queue $qq exited 0 but its message is not in todo/" ;; esac
done

# Everything else is S2, S3 or a pid file.
s2=0 s3=0
for m in "$Q"/mess/*/*; do
  [ -e "$m" ] || continue
  id=${m##*/}
  [ "$(stat -c %i "$m")" = "$id" ] || fail "mess/$id has inode $(stat -c %i "$m")"
  [ "${m%/*}" = "$Q/mess/$((id % 23))" ] || fail "mess/$id is in the wrong split directory"
  [ -e "$Q/todo/$id" ] && continue
  if [ -e "$Q/intd/$id" ]; then s3=$((s3 + 1)); else s2=$((s2 + 1)); fi
done
for f in "$Q"/intd/*; do
  [ -e "$f" ] || continue
  id=${f##*/}
  [ -e "$Q/mess/$((id % 23))/$id" ] || fail "intd/$id without its mess file"
done
pids=$(find "$Q/pid" -type f | wc -l)
queued=$(echo "$queued_pids" | wc -w)
echo "runs $runs: exit 0 $(echo "$completed" | wc -w), killed $killed; queued $queued, S2 $s2, S3 $s3, pid files $pids"
[ -n "$completed" ] || fail "no run completed: the delays never reached the end"
[ "$killed" -gt 0 ] || fail "no run was killed"
[ "$s2" -gt 0 ] || fail "no run was killed during the message copy: the delays are off"
[ "$s3" -gt 0 ] || fail "no run was killed while the envelope was written: the delays are off"
