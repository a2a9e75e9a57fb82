#!/bin/bash
# filter_bouncesaying — "|bouncesaying error [program]" in a .qmail file.
#
# Without a program every message bounces: exit 100 and the error text,
# alone, on stderr. With a program, the program reads the message: exit 0
# bounces, 111 defers ("bouncesaying: fatal: temporary child error"), a
# crash defers ("child crashed"), anything else (also a program that does
# not exist) lets the .qmail file go on with exit 0 and no output.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
w=$dir/work
mkdir "$w"
printf 'Subject: spam spam\n\nbuy now\n' >"$w/spam"
printf 'Subject: hello\n\nhi\n' >"$w/ham"

# expect CODE STDERR INPUT ARGS... - run bouncesaying, check exit and stderr
expect() {
  expect_exit bouncesaying "$1" "$2" "${@:4}" <"$3"
  [ ! -s "$w/out" ] || fail "bouncesaying ${*:4}: stdout '$(cat "$w/out")'"
}

expect 100 "bouncesaying: usage: bouncesaying error [program [arg ...]]" "$w/ham"
expect 100 "This address no longer accepts mail." "$w/ham" "This address no longer accepts mail."
expect 100 "no spam here" "$w/spam" "no spam here" grep -q '^Subject: spam'
expect 0 "" "$w/ham" "no spam here" grep -q '^Subject: spam'
expect 0 "" "$w/ham" "nope" false
expect 111 "bouncesaying: fatal: temporary child error" "$w/ham" "x" sh -c 'exit 111'
expect 111 "bouncesaying: fatal: child crashed" "$w/ham" "x" sh -c 'kill -9 $$'
expect 0 "" "$w/ham" "x" sh -c 'exit 100'
# A program that cannot be run is not a yes: qmail's child exits 100 then.
expect 0 "" "$w/ham" "x" "$w/no-such-program"
expect 0 "" "$w/ham" "x" no-such-program-on-path
echo ok
