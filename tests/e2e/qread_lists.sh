# qread_lists — qmail-qread lists queued and preprocessed messages; qmail-qstat counts them.
#
# The story: two messages go through the real qmail-queue. Both are listed
# as not yet preprocessed ("\ttodo\t<addr>"), sorted by number, with the
# sender and the size of the mess file; qmail-qstat says 2 and 2. Then we
# preprocess one by hand the way qmail-send does (info F record, local and
# remote T/D records, todo removed) and add a bounce file: it is listed in
# qmail's own format, a done recipient prefixed with "  done", and
# " bouncing" after the sender. A damaged info file gives a warning naming
# the message and the rest is still listed; a missing queue is exit 111.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
Q=$dir/queue
work=$dir/work
mkdir "$work"

queue() {  # queue SENDER RCPT... - through qmail-queue, message on fd 0, envelope on fd 1
  sender=$1; shift
  { printf 'F%s\0' "$sender"; for r in "$@"; do printf 'T%s\0' "$r"; done; printf '\0'; } >"$work/env"
  printf 'Subject: qread test\n\nhello\n' >"$work/msg"
  "$dir/bin/qmail-queue" <"$work/msg" 1<"$work/env" || fail "qmail-queue exited $?"
}

# Message numbers are inode numbers, not allocated in order: note each one
# as it is queued.
queue alice@example.org bob@example.test "$(printf 'odd\001name@x.test')"
first=$(ls "$Q/todo")
queue '' carol@example.net
second=$(ls "$Q/todo" | grep -vx "$first")
ids=$(ls "$Q/todo" | sort -n)
set -- $ids
[ $# = 2 ] || fail "expected 2 queued messages, found: $ids"

"$dir/bin/qmail-qstat" >"$work/qstat" || fail "qmail-qstat exited $?"
printf 'messages in queue: 2\nmessages in queue but not yet preprocessed: 2\n' | cmp -s - "$work/qstat" ||
  fail "qmail-qstat: $(cat "$work/qstat")"

"$dir/bin/qmail-qread" >"$work/out" 2>"$work/err" || fail "qmail-qread exited $?"
[ ! -s "$work/err" ] || fail "qmail-qread warned: $(cat "$work/err")"
size() { stat -c %s "$Q/mess/$(($1 % 23))/$1"; }
date_re='[1-9][0-9]? [A-Z][a-z][a-z] [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT'
grep -Eq "^$date_re  #$first  $(size "$first")  <alice@example.org> \$" "$work/out" ||
  fail "no header line for #$first: $(cat "$work/out")"
grep -Eq "^$date_re  #$second  $(size "$second")  <> \$" "$work/out" || fail "no header for #$second"
# Lines in order: header, its recipients (non-printable byte as _), next header.
sed -E "s/^$date_re  /DATE  /" "$work/out" >"$work/shape"
# Messages are listed by number, whichever was queued first.
alice_block=$(printf 'DATE  #%s  %s  <alice@example.org> \n\ttodo\tbob@example.test\n\ttodo\todd_name@x.test' \
  "$first" "$(size "$first")")
carol_block=$(printf 'DATE  #%s  %s  <> \n\ttodo\tcarol@example.net' "$second" "$(size "$second")")
if [ "$first" -lt "$second" ]; then
  printf '%s\n%s\n' "$alice_block" "$carol_block"
else
  printf '%s\n%s\n' "$carol_block" "$alice_block"
fi | cmp -s - "$work/shape" || fail "qmail-qread output: $(cat -A "$work/out")"

# Preprocess #first by hand, as qmail-send would: info, local, remote, todo gone.
n=$((first % 23))
printf 'Falice@example.org\0' >"$Q/info/$n/$first"
touch -d '2001-02-03 04:05:06 UTC' "$Q/info/$n/$first"
printf 'Dbob@example.test\0' >"$Q/local/$n/$first"
printf 'Todd\001name@x.test\0' >"$Q/remote/$n/$first"
rm "$Q/todo/$first" "$Q/intd/$first"
echo 'failure text' >"$Q/bounce/$first"

"$dir/bin/qmail-qstat" >"$work/qstat"
printf 'messages in queue: 2\nmessages in queue but not yet preprocessed: 1\n' | cmp -s - "$work/qstat" ||
  fail "qmail-qstat after preprocessing: $(cat "$work/qstat")"
"$dir/bin/qmail-qread" >"$work/out" || fail "qmail-qread exited $?"
printf '3 Feb 2001 04:05:06 GMT  #%s  %s  <alice@example.org>  bouncing\n  done\tlocal\tbob@example.test\n\tremote\todd_name@x.test\n' \
  "$first" "$(size "$first")" >"$work/want"
grep -A2 "  #$first  " "$work/out" | cmp -s - "$work/want" || fail "preprocessed listing: $(cat -A "$work/out")"
grep -q "<> \$" "$work/out" || fail "second message no longer listed"

# A damaged info file: a warning naming the message, exit 0, the rest listed.
printf 'garbage' >"$Q/info/$n/$first"
"$dir/bin/qmail-qread" >"$work/out" 2>"$work/err" || fail "qmail-qread exited $? on a damaged file"
grep -q "^qmail-qread: warning: trouble with #$first: " "$work/err" || fail "no warning: $(cat "$work/err")"
grep -q "#$second " "$work/out" || fail "other message not listed after a warning"
grep -q "#$first " "$work/out" && fail "damaged message listed"

# No queue at all: fatal, exit 111.
mv "$Q" "$dir/queue.away"
set +e
"$dir/bin/qmail-qread" >/dev/null 2>"$work/err"; rc1=$?
"$dir/bin/qmail-qstat" >/dev/null 2>>"$work/err"; rc2=$?
set -e
mv "$dir/queue.away" "$Q"
[ "$rc1" = 111 ] && [ "$rc2" = 111 ] || fail "missing queue: exits $rc1 $rc2"
grep -q '^qmail-qread: fatal: ' "$work/err" || fail "no fatal line: $(cat "$work/err")"
exit 0
