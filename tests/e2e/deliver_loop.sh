#!/bin/bash
# A forward loop between two addresses bounces with the Delivered-To loop
# text instead of going round for ever.
#
# ~fred/.qmail-ping forwards to fred-pong@example.test and ~fred/.qmail-pong
# back to fred-ping@example.test. Each forward adds its Delivered-To line,
# so the third delivery (fred-ping again) finds its own line in the header
# and qmail-local exits 100 with "This message is looping: it already has my
# Delivered-To line. (#5.4.6)". The bounce goes to the original sender (the
# forwards keep it), and the queue ends empty after exactly three
# deliveries of the loop plus the bounce's.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
add_user joe
fred=$(home fred)
echo '&fred-pong@example.test' >"$fred/.qmail-ping"
echo 'fred-ping@example.test' >"$fred/.qmail-pong"
start_mta ./Mailbox

printf 'Subject: round and round\n\nloop\n' | enqueue joe@example.test fred-ping@example.test
wait_log '^delivery 4: '
wait_queue_empty
sleep 1   # nothing more may happen

# The deliveries start in this order; a forward's copy may start before
# the delivery that queued it has reported, so the results are checked
# one by one.
log_sequence <<'EOF'
starting delivery 1: msg [0-9]+ to local fred-ping@example\.test
starting delivery 2: msg [0-9]+ to local fred-pong@example\.test
starting delivery 3: msg [0-9]+ to local fred-ping@example\.test
starting delivery 4: msg [0-9]+ to local joe@example\.test
EOF
for want in 'delivery 1: success: did_0\+1\+0/qp_[0-9]+/' 'delivery 2: success: did_0\+1\+0/qp_[0-9]+/' \
            'delivery 3: failure: This_message_is_looping:_it_already_has_my_Delivered-To_line\._\(#5\.4\.6\)/' \
            'delivery 4: success: did_1\+0\+0/'; do
  grep -Eqx "$want" "$mta_log" || fail "no log line /$want/; log: $(cat "$mta_log")"
done
[ "$(grep -c '^starting delivery' "$mta_log")" = 4 ] || fail "not exactly 4 deliveries: $(cat "$mta_log")"

box=$(home joe)/Mailbox
[ -s "$box" ] || fail "no bounce for joe"
bounce_paragraph "$box" >"$dir/paragraph"
expect_text "$dir/paragraph" "bounce text" <<'EOF'
Hi. This is the qmail-send program at example.test.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<fred-ping@example.test>:
This message is looping: it already has my Delivered-To line. (#5.4.6)

--- Below this line is a copy of the message.
EOF
# The copy in the bounce is the looping message: both Delivered-To lines.
grep -qx 'Delivered-To: fred-ping@example.test' "$box" || fail "copy lacks Delivered-To: fred-ping"
grep -qx 'Delivered-To: fred-pong@example.test' "$box" || fail "copy lacks Delivered-To: fred-pong"
[ ! -e "$fred/Mailbox" ] || fail "something reached ~fred/Mailbox"
stop_mta
echo ok
