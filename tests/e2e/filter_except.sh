#!/bin/bash
# filter_except — "|except program" inverts the program's answer.
#
# The program reads the message on stdin; its exit 0 becomes 100 (bounce),
# 111 stays 111 ("except: fatal: temporary child error"), a crash is 111
# ("child crashed"), anything else becomes 0, and except adds no text of
# its own. The program's own output passes through.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
w=$dir/work
mkdir "$w"
printf 'Subject: spam\n\nbuy now\n' >"$w/spam"
printf 'Subject: hello\n\nhi\n' >"$w/ham"

# expect CODE STDERR INPUT ARGS... - run except, check exit and stderr
expect() {
  expect_exit except "$1" "$2" "${@:4}" <"$3"
}

expect 100 "except: usage: except program [arg ...]" "$w/ham"
expect 100 "" "$w/spam" grep -q '^Subject: spam'
expect 0 "" "$w/ham" grep -q '^Subject: spam'
expect 0 "" "$w/ham" sh -c 'exit 100'
expect 0 "" "$w/ham" sh -c 'exit 99'
expect 111 "except: fatal: temporary child error" "$w/ham" sh -c 'exit 111'
expect 111 "except: fatal: child crashed" "$w/ham" sh -c 'kill -9 $$'
expect 0 "" "$w/ham" no-such-program-on-path
# The program's output is the program's: it reaches qmail-local's report.
expect 100 "said so" "$w/ham" sh -c 'echo "said so" >&2; exit 0'
rc=0
"$LETTERSHOP_BIN/except" sed -n 's/^Subject: //p' <"$w/ham" >"$w/out" || rc=$?
[ "$rc" = 100 ] || fail "except sed: exit $rc, want 100"
[ "$(cat "$w/out")" = "hello" ] || fail "child stdout: $(cat "$w/out")"
echo ok
