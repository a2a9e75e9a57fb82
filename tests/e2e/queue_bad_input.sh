#!/bin/bash
# qmail-queue refuses bad input with qmail's exit codes and leaves no trace.
#
# Each malformed envelope gets its documented exit code from qmail-queue(8)
# and leaves nothing in todo/, intd/, mess/ or pid/: an envelope without its
# final NUL (54), a sender containing a newline (14, our extension), a
# recipient of 1003 bytes (11), a first byte that is not F (91), an empty
# envelope (54), an envelope on a descriptor that cannot be read (54).
# A 0-byte message is refused with 54 as well (qmail would queue it holding
# only the Received line; see qmail-queue(8) COMPATIBILITY).
. "$LETTERSHOP_SRC/tests/e2e/lib/queue.sh"
queue_instance
work=$dir/work
mkdir "$work"
printf 'Subject: test\n\nbody\n' >"$work/msg"

# expect CODE WHAT - run qmail-queue on $work/env; check exit code and queue
expect() {
  queue_inject "$work/msg" "$work/env"
  [ "$rc" -eq "$1" ] || fail "$2: exit $rc, expected $1"
  queue_assert_clean "$2"
}

printf 'Fa@example.test\0Tb@example.test\0' >"$work/env"
expect 54 "envelope without terminator"

printf 'Fa\n@example.test\0Tb@example.test\0\0' >"$work/env"
expect 14 "sender with a newline"

printf 'Fa@example.test\0Tb@example.test\r\0\0' >"$work/env"
expect 14 "recipient with a carriage return"

{ printf 'Fa@example.test\0T'; head -c 1003 /dev/zero | tr '\0' r; printf '\0\0'; } >"$work/env"
expect 11 "recipient of 1003 bytes"

{ printf 'Fa@example.test\0T'; head -c 1002 /dev/zero | tr '\0' r; printf '\0\0'; } >"$work/env"
queue_inject "$work/msg" "$work/env"
[ "$rc" -eq 0 ] || fail "recipient of 1002 bytes: exit $rc, expected 0 (the longest allowed)"
rm -f "$Q"/todo/* "$Q"/intd/* "$Q"/mess/*/*

printf 'Ta@example.test\0\0' >"$work/env"
expect 91 "first byte not F"

printf 'Fa@example.test\0Xb@example.test\0\0' >"$work/env"
expect 91 "record not T"

: >"$work/env"
expect 54 "0-byte envelope"

# fd 1 open for writing only: reading the envelope fails.
rc=0
"$LETTERSHOP_BIN/qmail-queue" <"$work/msg" >"$work/out" || rc=$?
[ "$rc" -eq 54 ] || fail "unreadable envelope: exit $rc, expected 54"
queue_assert_clean "unreadable envelope"

# A 0-byte message means its producer failed: refused as a read error (54),
# nothing queued (qmail would queue a message holding only the Received line).
: >"$work/empty"
printf 'Fa@example.test\0Tb@example.test\0\0' >"$work/env"
rc=0
"$LETTERSHOP_BIN/qmail-queue" <"$work/empty" 1<"$work/env" || rc=$?
[ "$rc" -eq 54 ] || fail "0-byte message: exit $rc, expected 54"
queue_assert_clean "0-byte message"
