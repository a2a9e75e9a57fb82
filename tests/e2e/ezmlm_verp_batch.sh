#!/bin/bash
# ezmlm_verp_batch — a list post's VERP fan-out leaves in batches through
# the real mail system: ezmlm-send queues the post with the sender
# team-return-1-@example.test-@[]; qmail-send expands it per subscriber;
# qmail-rspawn batches the deliveries of one domain (same template) into
# one qmail-remote run, which sends each subscriber a transaction of its
# own with its own MAIL FROM on one connection. Twenty remote subscribers
# at two sink domains (one refused with 550):
#   - every accepted subscriber is in exactly one transaction, alone, with
#     MAIL FROM:<team-return-1-box=dom@example.test>;
#   - fewer connections (EHLOs) than recipients, and MAIL/RCPT/DATA of a
#     transaction pipelined in one write;
#   - the 550 bounces that recipient alone: qmail-send's bounce reaches
#     team-return-1-@ and ezmlm-return keeps a d file for it only; nobody
#     else is deferred or bounced.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
need_programs ezmlm-make ezmlm-send ezmlm-sub ezmlm-list ezmlm-return qmail-remote
mta_instance
ezmlm_env "$dir"
list_users alice
start_sink sinka
a_port=$sink_port a_dir=$sink_dir
start_sink sinkb
b_port=$sink_port b_dir=$sink_dir
printf 'a.test:127.0.0.1:%s\nb.test:127.0.0.1:%s\n' "$a_port" "$b_port" >"$dir/control/smtproutes"

l=$o/team
ez ezmlm-make -f -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$l" "$o/.qmail-team" team example.test || fail "ezmlm-make failed"
chmod 0755 "$o"
subs=""
for i in $(seq -w 1 10); do subs="$subs sub$i@a.test"; done
for i in $(seq -w 1 9); do subs="$subs sub$i@b.test"; done
subs="$subs reject1@b.test"
for a in $subs; do ez ezmlm-sub "$l" "$a" || fail "ezmlm-sub $a"; done
start_mta ./Mailbox
# Few qmail-remote runs at once (qmail-rspawn rereads the file; qmail-send
# keeps its 20 slots), so that the fan-out's deliveries wait together.
echo 2 >"$dir/control/concurrencyremote"
QMAILHOME=$dir
export QMAILHOME

printf 'From: alice@example.test\nTo: team@example.test\nSubject: fan-out\n\nverp batch post\n' |
  inject alice@example.test team@example.test
wait_log "starting delivery [0-9]+: msg [0-9]+ to local team-return-1-@example.test" 30
wait_queue_empty 30

# Each accepted subscriber: exactly one transaction, alone, with its own sender.
for a in $subs; do
  [ "$a" = reject1@b.test ] && continue
  case $a in *@a.test) d=$a_dir ;; *) d=$b_dir ;; esac
  # shellcheck disable=SC2046 # sink paths have no spaces
  txns=$(grep -lx "rcpt: <$a>" $(ls "$d"/*.txn) 2>/dev/null)
  [ "$(echo "$txns" | grep -c .)" = 1 ] || fail "$a: want one transaction, got: $txns"
  [ "$(grep -c '^rcpt: ' "$txns")" = 1 ] || fail "$a shares a transaction: $(head -8 "$txns")"
  want="mail: <team-return-1-${a%@*}=${a#*@}@example.test>"
  grep -q "^$want" "$txns" || fail "$a: envelope $(grep '^mail: ' "$txns"), want $want"
  grep -q 'verp batch post' "$txns" || fail "$a: not the post"
done
[ "$(find "$a_dir" -name "*.txn" | wc -l)" = 10 ] || fail "a.test transactions: $(ls "$a_dir")"
[ "$(find "$b_dir" -name "*.txn" | wc -l)" = 9 ] || fail "b.test transactions: $(ls "$b_dir")"

# Batches: fewer connections than recipients; MAIL, RCPT, DATA pipelined.
conns=$(($(grep -c ' EHLO ' "$a_dir/commands.log") + $(grep -c ' EHLO ' "$b_dir/commands.log")))
[ "$conns" -lt 20 ] || fail "$conns connections for 20 recipients"
[ "$conns" -ge 2 ] || fail "$conns connections for two domains"
grep -q 'MAIL FROM:<team-return-1-reject1=b.test@example.test>' "$b_dir/commands.log" ||
  fail "no transaction tried for reject1: $(cat "$b_dir/commands.log")"
# sub05's MAIL, RCPT and DATA arrived in one read (the same read number).
grep -A2 'MAIL FROM:<team-return-1-sub05=a.test@example.test>' "$a_dir/commands.log" >"$dir/sub05"
[ "$(cut -d' ' -f2 "$dir/sub05" | tr '\n' ' ')" = "MAIL RCPT DATA " ] &&
  [ "$(cut -d' ' -f1 "$dir/sub05" | sort -u | wc -l)" = 1 ] ||
  fail "MAIL, RCPT, DATA not pipelined: $(cat "$dir/sub05")"

# The 550 bounced reject1 alone, to the list's return address.
grep -Eq 'delivery [0-9]+: failure: .*_does_not_like_recipient./Remote_host_said:_550_5.1.1' "$mta_log" ||
  fail "no failure logged: $(grep 'delivery' "$mta_log")"
[ "$(grep -Ec 'delivery [0-9]+: failure: ' "$mta_log")" = 1 ] || fail "more than one failure: $(grep failure "$mta_log")"
grep -Eq 'delivery [0-9]+: deferral: ' "$mta_log" && fail "a delivery was deferred: $(grep deferral "$mta_log")"
[ "$(grep -Ec 'delivery [0-9]+: success: ' "$mta_log")" -ge 20 ] || fail "successes: $(grep -c success "$mta_log")"
dfiles=$(find "$l/bounce/d" -type f -name 'd*')
[ "$(echo "$dfiles" | grep -c .)" = 1 ] || fail "want one d file: $(find "$l/bounce")"
[ "$(head -c 14 "$dfiles" | tr '\0' '|')" = "reject1@b.test" ] || fail "d file address: $(head -c 40 "$dfiles")"
ez ezmlm-list "$l" | grep -c . | grep -qx 20 || fail "subscribers changed: $(ez ezmlm-list "$l")"
stop_mta
echo "ok ($conns connections for 20 recipients)"
