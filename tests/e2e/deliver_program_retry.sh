#!/bin/bash
# Program deliveries: exit 111 is retried until it succeeds; exit 100 bounces
# with the program's output.
#
# ~fred/.qmail-flaky runs a program that fails temporarily (prints "not
# yet", exits 111) until the file ~fred/ok exists, then an mbox line. The
# first attempt is a deferral (the program's output is the log text; the
# mbox line after it is not reached); the message stays queued. Once ok
# exists, ALRM makes qmail-send retry now instead of in 100 s: the program
# succeeds and the message reaches ~fred/Flaky exactly once.
# ~fred/.qmail-hard runs a program that prints a line and exits 100: the
# delivery fails and joe's bounce quotes that output under fred-hard's
# address.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
add_user joe
fred=$(home fred)
cat >"$fred/.qmail-flaky" <<'EOF'
|if test -e ok; then echo "ok now"; else echo "not yet"; exit 111; fi
./Flaky
EOF
cat >"$fred/.qmail-hard" <<'EOF'
|echo "permanent trouble for $LOCAL"; exit 100
./Hard
EOF
start_mta ./Mailbox

# --- exit 111: deferral, retry, success
printf 'Subject: try again\n\nretry me\n' | enqueue joe@example.test fred-flaky@example.test
wait_log '^delivery 1: '
grep -qx 'delivery 1: deferral: not_yet/' "$mta_log" || fail "no 'delivery 1: deferral: not_yet/'; log: $(cat "$mta_log")"
[ ! -e "$fred/Flaky" ] || fail "the mbox line after the failing program ran"
sleep 1
[ "$(queue_counts)" = "1 0" ] || fail "the deferred message is not in the queue: $(queue_counts)"
grep -q '^delivery 2: ' "$mta_log" && fail "retried before its time: $(cat "$mta_log")"

touch "$fred/ok"
# ALRM until the retry starts (the first one may arrive before the job is
# rescheduled, which is then still at its normal retry time).
for i in $(seq 1 30); do
  grep -q '^delivery 2: ' "$mta_log" && break
  run_queue
  sleep 1
done
wait_log '^delivery 2: '
grep -qx 'delivery 2: success: ok_now/did_1+0+1/' "$mta_log" || fail "no 'delivery 2: success: ok_now/did_1+0+1/'; log: $(cat "$mta_log")"
wait_queue_empty
[ "$(grep -c '^retry me$' "$fred/Flaky")" = 1 ] || fail "~fred/Flaky does not hold the message once: $(cat "$fred/Flaky")"
[ ! -e "$(home joe)/Mailbox" ] || fail "a bounce was sent for a temporary failure"

# --- exit 100: bounce with the program's output
printf 'Subject: no way\n\nbounce me\n' | enqueue joe@example.test fred-hard@example.test
wait_log '^delivery 3: '
grep -qx 'delivery 3: failure: permanent_trouble_for_fred-hard/' "$mta_log" ||
  fail "no 'delivery 3: failure: permanent_trouble_for_fred-hard/'; log: $(cat "$mta_log")"
wait_log '^delivery 4: success: '
wait_queue_empty
[ ! -e "$fred/Hard" ] || fail "the mbox line after the failing program ran"
box=$(home joe)/Mailbox
[ -s "$box" ] || fail "no bounce for joe"
bounce_paragraph "$box" >"$dir/paragraph"
expect_text "$dir/paragraph" "bounce text" <<'EOF'
Hi. This is the qmail-send program at example.test.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<fred-hard@example.test>:
permanent trouble for fred-hard

--- Below this line is a copy of the message.
EOF
grep -qx 'bounce me' "$box" || fail "the bounce does not carry the message"
stop_mta
echo ok
