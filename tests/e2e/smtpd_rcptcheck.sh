#!/bin/bash
# control/rcptcheck "on": RCPT asks the delivery rules at once. An unknown
# local user gets 550 5.1.1 (no bounce later), a known user 250, an
# extension only with a matching .qmail-ext or .qmail-default, an alias
# only with its ~alias/.qmail file, a remote address (relay) always 250.
# Without the control file every local address is accepted, as in qmail.
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
add_user fred
add_user joe
echo './Mailbox' >"$(home joe)/.qmail-default"
echo fred >"$dir/alias/.qmail-help"
echo on >"$dir/control/rcptcheck"
start_smtpd

# rcpts ADDRESS... - the RCPT replies, one per line
rcpts() {
  "$PY" - "$smtp_port" "$@" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    s.helo("x")
    s.mail("a@remote.example")
    for r in sys.argv[2:]:
        code, text = s.rcpt(r)
        print(code, text.decode())
PY
}
out=$(rcpts nobody@example.test fred@example.test Fred@Example.Test fred-ext@example.test \
  joe-anything@example.test help@example.test joe@example.test)
want="550 sorry, no mailbox here by that name (#5.1.1)
250 ok
250 ok
550 sorry, no mailbox here by that name (#5.1.1)
250 ok
250 ok
250 ok"
[ "$out" = "$want" ] || fail "rcptcheck replies:
$out
want:
$want"
stop_servers

start_smtpd RELAYCLIENT=
out=$(rcpts far@elsewhere.example nobody@example.test)
[ "$out" = "250 ok
550 sorry, no mailbox here by that name (#5.1.1)" ] || fail "with RELAYCLIENT: $out"
stop_servers

rm "$dir/control/rcptcheck"
start_smtpd
out=$(rcpts nobody@example.test)
[ "$out" = "250 ok" ] || fail "without rcptcheck: $out"
echo ok
