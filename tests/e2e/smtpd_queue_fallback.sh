#!/bin/bash
# qmail-smtpd hands the messages of a connection to one "qmail-queue
# --serve". A bin/qmail-queue that does not speak that protocol (here a
# wrapper that drops the argument, as one kept from an older installation
# would) never greets: qmail-smtpd kills it before handing it anything,
# says so on stderr, and starts bin/qmail-queue for each message instead.
# Every message of the connection is accepted and queued exactly once.
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
real=$(readlink -f "$dir/bin/qmail-queue")
rm -f "$dir/bin/qmail-queue"
printf '#!/bin/sh\n# drops its arguments, as a queue program without --serve would\nexec "%s"\n' "$real" >"$dir/bin/qmail-queue"
chmod 0755 "$dir/bin/qmail-queue"
start_smtpd

"$PY" - "$smtp_port" <<'PY' || fail "session failed; log: $(cat "$dir/tcpserver.log")"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("client.example")
for i in range(3):
    s.mail("a@remote.example"); s.rcpt("u@example.test")
    code, text = s.data(b"Subject: fallback %d\r\n\r\nbody\r\n" % i)
    assert code == 250, (i, code, text)
s.quit()
PY
[ "$(queued_count)" = 3 ] || fail "want 3 queued messages, have $(queued_count)"
for i in 0 1 2; do
  [ "$(grep -rlx "Subject: fallback $i" "$dir/queue/mess" | wc -l)" = 1 ] || fail "message $i not queued exactly once"
done
grep -q '^qmail-smtpd: warning: qmail-queue --serve did not greet; starting qmail-queue for every message$' \
  "$dir/tcpserver.log" || fail "no warning: $(cat "$dir/tcpserver.log")"
[ "$(grep -c 'did not greet' "$dir/tcpserver.log")" = 1 ] || fail "warned more than once: $(cat "$dir/tcpserver.log")"
echo ok
