#!/bin/bash
# rspawn_mta — batched remote delivery through the whole mail system:
# qmail-send -> qmail-rspawn -> qmail-remote -> the SMTP sink.
#
# 1. A message to five recipients at one domain is ONE qmail-remote run and
#    ONE SMTP transaction with five RCPTs; every recipient logs success.
# 2. a, reject2 and c at one domain: one transaction for a and c; only
#    reject2 bounces (the bounce names it alone).
# 3. a, defer2 and c: a and c delivered, defer2 deferred; the retry runs
#    qmail-remote for defer2 alone.
# 4. Two domains: two runs, two transactions.
# 5. The status line still counts remote deliveries (runs), not recipients.
#
# $dir/bin/qmail-remote is a wrapper that records its argv and runs the real
# program (start_mta passes DNSCACHEIP through).
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
mta_instance
add_user fred
start_sink sink
echo "$sink_port" >"$dir/control/remoteport"
start_dns --local=/test/ --mx-host=remote.test,mx.remote.test,10 --mx-host=other.test,mx.remote.test,10 \
  --host-record=mx.remote.test,127.0.0.1
rm -f "$dir/bin/qmail-remote"
cat >"$dir/bin/qmail-remote" <<SH
#!/bin/sh
echo "\$*" >>"$dir/runs"
exec $LETTERSHOP_BIN/qmail-remote "\$@"
SH
chmod 755 "$dir/bin/qmail-remote"
start_mta ./Mailbox

rcpts() { grep '^rcpt: ' "$1" | sed 's/^rcpt: //' | tr '\n' ' '; }

# --- 1. five recipients, one run, one transaction
printf 'Subject: fan-out\n\nto five\n' |
  enqueue fred@example.test u1@remote.test u2@remote.test u3@remote.test u4@remote.test u5@remote.test
wait_queue_empty
[ "$(grep -c '^delivery [0-9]*: success: 127.0.0.1_accepted_message./' "$mta_log")" -eq 5 ] ||
  fail "expected 5 successes; log: $(cat "$mta_log")"
[ "$(wc -l <"$dir/runs")" -eq 1 ] || fail "expected one qmail-remote run: $(cat "$dir/runs")"
[ "$(sink_files | wc -l)" -eq 1 ] || fail "expected one transaction: $(sink_files)"
txn=$(sink_files | tail -1)
[ "$(rcpts "$txn")" = "<u1@remote.test> <u2@remote.test> <u3@remote.test> <u4@remote.test> <u5@remote.test> " ] ||
  fail "wrong RCPTs: $(rcpts "$txn")"
grep -q '^to five'$'\r''$' "$txn" || fail "body missing: $(cat -A "$txn")"

# --- 2. one refused recipient bounces alone
printf 'Subject: one bad\n\nsecond\n' | enqueue fred@example.test a@remote.test reject2@remote.test c@remote.test
wait_queue_empty
txn=$(sink_files | tail -1)
[ "$(rcpts "$txn")" = "<a@remote.test> <c@remote.test> " ] || fail "wrong RCPTs: $(rcpts "$txn")"
[ "$(tail -1 "$dir/runs")" = "remote.test fred@example.test a@remote.test reject2@remote.test c@remote.test" ] ||
  fail "not one run: $(cat "$dir/runs")"
box=$(home fred)/Mailbox
wait_file "$box"
grep -q '^<reject2@remote.test>:$' "$box" || fail "bounce lacks reject2: $(cat "$box")"
grep -Eq '^<(a|c)@remote.test>:$' "$box" && fail "bounce names a delivered recipient: $(cat "$box")"
grep -q '^Remote host said: 550' "$box" || fail "bounce lacks the remote text: $(cat "$box")"

# --- 3. one deferred recipient is retried alone
before=$(sink_files | wc -l)
printf 'Subject: one later\n\nthird\n' | enqueue fred@example.test a3@remote.test defer2@remote.test c3@remote.test
wait_log '^delivery [0-9]*: deferral: 127.0.0.1_does_not_like_recipient./Remote_host_said:_451'
[ "$(sink_files | wc -l)" -eq $((before + 1)) ] || fail "a3 and c3 not delivered in one transaction"
[ "$(rcpts "$(sink_files | tail -1)")" = "<a3@remote.test> <c3@remote.test> " ] ||
  fail "wrong RCPTs: $(rcpts "$(sink_files | tail -1)")"
[ "$(queue_counts)" = "1 0" ] || fail "deferred message not queued: $(queue_counts)"
runs=$(wc -l <"$dir/runs")
run_queue
for i in $(seq 1 100); do [ "$(wc -l <"$dir/runs")" -gt "$runs" ] && break; sleep 0.1; done
[ "$(tail -1 "$dir/runs")" = "remote.test fred@example.test defer2@remote.test" ] ||
  fail "the retry should carry defer2 alone: $(cat "$dir/runs")"
# The retry's own deferral must be logged before part 4 starts, or its run
# may still be in flight beside part 4's two and count as a third.
for i in $(seq 1 200); do
  [ "$(grep -c '^delivery [0-9]*: deferral: 127.0.0.1_does_not_like_recipient./Remote_host_said:_451' "$mta_log")" -ge 2 ] && break
  sleep 0.1
done

# --- 4. two domains, two runs
runs=$(wc -l <"$dir/runs")
printf 'Subject: two domains\n\nfourth\n' | enqueue fred@example.test x@remote.test y@other.test
wait_log '^delivery [0-9]*: success: .*$' 20
for i in $(seq 1 100); do [ "$(wc -l <"$dir/runs")" -ge $((runs + 2)) ] && break; sleep 0.1; done
tail -n +"$((runs + 1))" "$dir/runs" | sort >"$dir/two"
printf '%s\n' "other.test fred@example.test y@other.test" "remote.test fred@example.test x@remote.test" |
  diff - "$dir/two" || fail "expected one run per domain"

# --- 5. the status line counts runs
grep -q '^status: local 0/10 remote 1/20$' "$mta_log" || fail "no 'remote 1/20' status: $(grep status "$mta_log")"
grep -Eq '^status: local [0-9]+/10 remote [3-9]/20$' "$mta_log" &&
  fail "five recipients of one batch counted as several deliveries: $(grep status "$mta_log")"
echo ok
