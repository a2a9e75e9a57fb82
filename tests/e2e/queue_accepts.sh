#!/bin/bash
# qmail-queue accepts a message: the queue holds it exactly as qmail's would.
#
# A message (no final newline, a NUL and 8-bit bytes in it) and an envelope
# with two recipients go to the real qmail-queue in a sandbox instance,
# with a reader waiting on the trigger fifo like qmail-send. Afterwards:
# exit 0; mess/<id%23>/<id> has inode <id> and holds our Received line and
# then the message bytes exactly; todo/<id> and intd/<id> are one inode
# holding u<uid>\0p<pid>\0F...\0T...\0T...\0 (no final extra NUL); pid/ is
# empty; the trigger got one NUL byte. Then the same with no recipients.
. "$LETTERSHOP_SRC/tests/e2e/lib/queue.sh"
queue_instance
work=$dir/work
mkdir "$work"

# qmail-send's end of the trigger: O_RDWR so that opening does not block.
exec 3<>"$Q/lock/trigger"

printf 'From: bill@irs.gov\nTo: joe@heaven.af.mil\nSubject: taxes\n\nline 1\n\0nul\n\377\200 8bit\nno newline at the end' >"$work/msg"
printf 'Fbill@irs.gov\0Tjoe@heaven.af.mil\0Tfred@x.org\0\0' >"$work/env"
queue_inject "$work/msg" "$work/env"
[ "$rc" -eq 0 ] || fail "qmail-queue exited $rc, expected 0"

ids=$(ls "$Q/todo")
[ "$(echo "$ids" | wc -w)" -eq 1 ] || fail "expected one todo entry, found: $ids"
id=$ids
mess=$Q/mess/$((id % 23))/$id
[ -f "$mess" ] || fail "no $mess"
[ "$(stat -c %i "$mess")" = "$id" ] || fail "mess inode $(stat -c %i "$mess") is not the id $id"
[ "$(stat -c %a "$mess")" = 644 ] || fail "mess mode $(stat -c %a "$mess"), expected 644 (umask 033)"

head -n 1 "$mess" >"$work/received"
grep -Eq "$(queue_received_re)" "$work/received" || fail "bad Received line: $(cat "$work/received")"
tail -c +"$(($(wc -c <"$work/received") + 1))" "$mess" >"$work/body"
cmp -s "$work/body" "$work/msg" || fail "mess does not hold the message bytes exactly"
pid=$(sed -E 's/^Received: \(qmail ([0-9]+) .*/\1/' "$work/received")

[ "$(stat -c %i "$Q/todo/$id")" = "$(stat -c %i "$Q/intd/$id")" ] || fail "todo/$id and intd/$id are different inodes"
printf 'u%s\0p%s\0Fbill@irs.gov\0Tjoe@heaven.af.mil\0Tfred@x.org\0' "$(id -u)" "$pid" >"$work/expected"
cmp -s "$Q/todo/$id" "$work/expected" || fail "todo/$id: $(od -c "$Q/todo/$id" | head)"
[ -z "$(ls "$Q/pid")" ] || fail "pid/ not empty: $(ls "$Q/pid")"

byte=$(timeout 5 head -c 1 <&3 | od -An -tx1 | tr -d ' ')
[ "$byte" = 00 ] || fail "the trigger got '$byte', expected one NUL byte"

# Zero recipients: accepted; qmail-send will simply preprocess and remove it.
printf 'F\0\0' >"$work/env0"
queue_inject "$work/msg" "$work/env0"
[ "$rc" -eq 0 ] || fail "zero recipients: qmail-queue exited $rc, expected 0"
id2=$(ls "$Q/todo" | grep -vx "$id")
[ -n "$id2" ] || fail "zero recipients: no new todo entry"
printf 'u%s\0p' "$(id -u)" >"$work/head"
head -c "$(wc -c <"$work/head")" "$Q/todo/$id2" | cmp -s - "$work/head" || fail "zero recipients: bad u/p records"
tail -c 3 "$Q/todo/$id2" | od -An -c | grep -q '\\0   F  \\0' || fail "zero recipients: todo does not end in \\0F\\0"
[ "$(tr -cd '\0' <"$Q/todo/$id2" | wc -c)" -eq 3 ] || fail "zero recipients: expected 3 records"
exec 3<&-
