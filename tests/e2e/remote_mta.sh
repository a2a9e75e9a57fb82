#!/bin/bash
# Remote delivery through the whole mail system: qmail-send hands remote
# recipients to qmail-rspawn, which runs qmail-remote, which finds the MX of
# remote.test through dnsmasq (DNSCACHEIP) and delivers to the SMTP sink
# (control/remoteport is the sink's port).
#
# 1. fred@example.test writes to joe@remote.test: the message lands in the
#    sink and the log says "success: 127.0.0.1_accepted_message./...".
# 2. The sink answers every RCPT with 451: the delivery is deferred, the
#    message stays queued; the sink then accepts, ALRM makes qmail-send
#    retry, and the message lands.
# 3. reject1@remote.test gets 550: the bounce in fred's Mailbox carries the
#    remote's text.
#
# start_mta passes DNSCACHEIP (set by start_dns) through to qmail-remote.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
mta_instance
add_user fred
start_sink sink --rcpt-file "$dir/rcptreply"
echo "$sink_port" >"$dir/control/remoteport"
start_dns --local=/test/ --mx-host=remote.test,mx.remote.test,10 --host-record=mx.remote.test,127.0.0.1
start_mta ./Mailbox

# --- 1. delivered
printf 'Subject: to the world\n\nhello remote\n' >"$dir/msg"
enqueue fred@example.test joe@remote.test <"$dir/msg"
wait_queue_empty
grep -q '^delivery [0-9]*: success: 127.0.0.1_accepted_message./Remote_host_said:_250_ok_queued/$' "$mta_log" ||
  fail "no success line; log: $(cat "$mta_log")"
txn=$(sink_files | tail -1)
[ -n "$txn" ] || fail "nothing in the sink"
grep -qx 'rcpt: <joe@remote.test>' "$txn" || fail "wrong recipient: $(cat "$txn")"
grep -q '^hello remote'$'\r''$' "$txn" || fail "body missing: $(cat -A "$txn")"

# --- 2. deferred, then delivered on retry
echo "451 4.3.0 come back later" >"$dir/rcptreply"
before=$(sink_files | wc -l)
printf 'Subject: later\n\nsecond\n' | enqueue fred@example.test ann@remote.test
wait_log '^delivery [0-9]*: deferral: 127.0.0.1_does_not_like_recipient./Remote_host_said:_451_4.3.0_come_back_later/'
[ "$(sink_files | wc -l)" = "$before" ] || fail "delivered although deferred"
[ "$(queue_counts)" = "1 0" ] || fail "deferred message not queued: $(queue_counts)"
rm -f "$dir/rcptreply"
run_queue
wait_queue_empty
[ "$(sink_files | wc -l)" -gt "$before" ] || fail "not delivered after the retry; log: $(cat "$mta_log")"
grep -qx 'rcpt: <ann@remote.test>' "$(sink_files | tail -1)" || fail "retry delivered the wrong message"

# --- 3. bounced with the remote's text
printf 'Subject: bounce me\n\nthird\n' | enqueue fred@example.test reject1@remote.test
wait_queue_empty
box=$(home fred)/Mailbox
wait_file "$box"
grep -q '^<reject1@remote.test>:$' "$box" || fail "bounce lacks the recipient: $(cat "$box")"
grep -q '^127.0.0.1 does not like recipient.$' "$box" || fail "bounce lacks qmail-remote's text: $(cat "$box")"
grep -q '^Remote host said: 550 5.1.1 rejected for the test$' "$box" || fail "bounce lacks the remote text: $(cat "$box")"
echo ok
