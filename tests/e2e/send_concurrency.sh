#!/bin/sh
# qmail-send honours concurrencylocal and concurrencyremote (reference
# mta.md 4.1, 4.4): with concurrencylocal 2, a message for five local
# recipients whose deliveries each take a second never has more than two
# running ("status: local 2/2" at most), and all five succeed; with
# concurrencyremote 0 the remote recipient is held: no remote delivery
# starts and the message stays in the queue.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
echo 2 >"$dir/control/concurrencylocal"
echo 0 >"$dir/control/concurrencyremote"

. "$LETTERSHOP_SRC/tests/e2e/lib/send.sh"
start_send
wait_log '^status: local 0/2 remote 0/0$'

printf 'Subject: fan\n\nhello\n' |
  "$LETTERSHOP_BIN/qmail-inject" -fbob@example.test slow1 slow2 slow3 slow4 slow5 x@remote.test ||
  fail "qmail-inject failed"
wait_n_log '^delivery [0-9]+: success: did_1\+0\+0/$' 5

grep -q '^status: local 2/2 remote 0/0$' "$log" || fail "never two local deliveries at once: $(cat "$log")"
grep -Eq '^status: local ([3-9]|[0-9]{2,})/2' "$log" && fail "more than two local deliveries at once: $(cat "$log")"
[ "$(grep -c ' to local slow' "$log")" -eq 5 ] || fail "expected 5 local deliveries: $(cat "$log")"
grep -q ' to remote ' "$log" && fail "a remote delivery started with concurrencyremote 0: $(cat "$log")"
grep -q '^end msg ' "$log" && fail "the message left the queue with its remote recipient held"
id=$(sed -n 's/^new msg \([0-9]*\)$/\1/p' "$log")
[ -e "$dir/queue/remote/$((id % 23))/$id" ] || fail "remote/ file of the held recipient is gone"
[ -e "$dir/queue/local/$((id % 23))/$id" ] && fail "local/ file left after all local recipients are done"
stop_send
