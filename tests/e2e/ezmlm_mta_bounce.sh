#!/bin/bash
# Bounce handling through the real mail system (issue 7): a list with two
# local subscribers and one remote subscriber whose SMTP server (a sink
# reached through smtproutes) answers 550.
#   1. a post: qmail-send's bounce comes back to team-return-1-@ (qmail
#      strips the VERP marker from its own bounces) and ezmlm-return (the
#      bouncer) finds the address in the QSBMF report and stores bounce/d
#      and bounce/h files;
#   2. ezmlm-warn -t0 sends a warning from team-return-warn-T.H-<box>@; it
#      bounces too and ezmlm-return keeps it as a w file;
#   3. ezmlm-warn -t0 sends a probe from team-return-probe-T.H-<box>@; its
#      bounce removes the address (Log "-probe"), ezmlm-list no longer
#      shows it, and the local subscribers are untouched.
# The warning and probe envelopes are checked in the sink's command log.
# A fourth subscriber's server (a second sink) refuses the list's mail for
# DMARC (550 5.7.26): that failure is in the same QSBMF bounce, is logged
# in bounce/Log and never counted, and the subscriber stays.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
need_programs ezmlm-make ezmlm-send ezmlm-sub ezmlm-list ezmlm-return ezmlm-warn ezmlm-weed
mta_instance
ezmlm_env "$dir"
list_users alice bob
echo "550 5.7.26 Unauthenticated email from example.test is not accepted due to domain's DMARC policy" \
  >"$dir/dmarcreply"
start_sink dmarcsink --rcpt-file "$dir/dmarcreply"
dmarc_port=$sink_port
dmarc_sink_dir=$sink_dir
start_sink sink
printf 'remote.test:127.0.0.1:%s\ndmarc.test:127.0.0.1:%s\n' "$sink_port" "$dmarc_port" >"$dir/control/smtproutes"

l=$o/team
ez ezmlm-make -f -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$l" "$o/.qmail-team" team example.test || fail "ezmlm-make failed"
chmod 0755 "$o"
for a in alice@example.test bob@example.test reject1@remote.test friend@dmarc.test; do ez ezmlm-sub "$l" "$a" || fail "ezmlm-sub $a"; done
start_mta ./Mailbox
QMAILHOME=$dir
export QMAILHOME

# bounce DEFAULT-REGEX — wait until a bounce to team-return-<regex>@ was delivered
wait_bounce_delivered() {
  wait_log "starting delivery [0-9]+: msg [0-9]+ to local team-return-$1@example.test" 30
  wait_queue_empty 30
}

# --- 1. the post and its bounce
printf 'From: alice@example.test\nTo: team@example.test\nSubject: hello team\n\nfirst post\n' |
  inject alice@example.test team@example.test
# qmail-send's own bounce goes to the sender without the VERP marker
# (team-return-1-@), so ezmlm-return finds the address in the QSBMF report.
wait_bounce_delivered '1-'
grep -q 'MAIL FROM:<team-return-1-reject1=remote.test@example.test>' "$sink_dir/commands.log" ||
  fail "post envelope at the sink: $(cat "$sink_dir/commands.log")"
# Only the sinks' 550s fail; every local delivery (the bouncer included) succeeds.
grep -E 'delivery [0-9]+: (failure|deferral): ' "$mta_log" | grep -v '_does_not_like_recipient./Remote_host_said:_550_5.\(1.1\|7.26\)' &&
  fail "a local delivery failed: $(grep -E 'failure|deferral' "$mta_log")"
dfiles=$(find "$l/bounce/d" -type f -name 'd*')
[ "$(echo "$dfiles" | grep -c .)" = 1 ] || fail "want one d file: $(find "$l/bounce")"
[ "$(head -c 19 "$dfiles" | tr '\0' '|')" = "reject1@remote.test" ] || fail "d file address: $(head -c 40 "$dfiles")"
grep -q '^Remote host said: 550 5.1.1 rejected for the test' "$dfiles" || fail "d file lacks the bounce: $(cat "$dfiles")"
hfile=$(find "$l/bounce/h" -type f)
[ "$(cat "$hfile")" = "   1" ] || fail "h file: $(cat "$hfile")"
for u in alice bob; do
  [ "$(ls "$(home "$u")/Maildir/new" | wc -l)" = 1 ] || fail "$u did not get the post"
done
# The DMARC refusal: an info line in the delivery log, a bounce/Log line, no files.
grep -Eq '^[0-9]+ ~policy friend@dmarc.test 5\.7\.26 .*DMARC' "$l/bounce/Log" ||
  fail "bounce/Log: $(cat "$l/bounce/Log" 2>/dev/null)"
grep -q 'friend@dmarc.test:_bounce_not_counted_(policy,_status_5.7.26)' "$mta_log" ||
  fail "no info line in the delivery log: $(grep 'delivery' "$mta_log")"
[ "$(find "$l/bounce/d" -type f | wc -l)" = 1 ] || fail "the DMARC failure was stored: $(find "$l/bounce/d" -type f)"

# --- 2. the warning, which bounces
ez ezmlm-warn -t0 "$l" 2>"$dir/warn.err" || fail "ezmlm-warn: $(cat "$dir/warn.err")"
grep -q 'warning sent to reject1@remote.test' "$dir/warn.err" || fail "no warning: $(cat "$dir/warn.err")"
wait_bounce_delivered 'warn-[0-9]+\.[a-p]{20}-reject1=remote.test'
grep -Eq 'MAIL FROM:<team-return-warn-[0-9]+\.[a-p]{20}-reject1=remote.test@example.test>' "$sink_dir/commands.log" ||
  fail "warning envelope at the sink: $(cat "$sink_dir/commands.log")"
[ -z "$(find "$l/bounce/h" -type f)" ] || fail "h file left after the warning"
wfile=$(find "$l/bounce/d" -type f -name 'w*')
[ -n "$wfile" ] || fail "the warning's bounce was not kept: $(find "$l/bounce"); log: $(cat "$mta_log")"
grep -q 'Subject: Warning from team@example.test' "$wfile" || fail "w file is not the warning's bounce"
ez ezmlm-list "$l" | grep -qx reject1@remote.test || fail "removed too early"

# --- 3. the probe, which bounces: removal
ez ezmlm-warn -t0 "$l" 2>"$dir/warn.err" || fail "ezmlm-warn: $(cat "$dir/warn.err")"
grep -q 'probe sent to reject1@remote.test' "$dir/warn.err" || fail "no probe: $(cat "$dir/warn.err")"
wait_bounce_delivered 'probe-[0-9]+\.[a-p]{20}-reject1=remote.test'
grep -Eq 'MAIL FROM:<team-return-probe-[0-9]+\.[a-p]{20}-reject1=remote.test@example.test>' "$sink_dir/commands.log" ||
  fail "probe envelope at the sink: $(cat "$sink_dir/commands.log")"
ez ezmlm-list "$l" >"$dir/subs"
grep -qx reject1@remote.test "$dir/subs" && fail "reject1 still subscribed"
[ "$(LC_ALL=C sort "$dir/subs" | tr '\n' ' ')" = "alice@example.test bob@example.test friend@dmarc.test " ] ||
  fail "other subscribers changed: $(cat "$dir/subs")"
grep -q 'MAIL FROM:<team-return-\(warn\|probe\)' "$dmarc_sink_dir/commands.log" && fail "the DMARC subscriber was warned"
grep -Eq '^[0-9]+ -probe reject1@remote.test$' "$l/Log" || fail "Log: $(cat "$l/Log")"
[ -z "$(find "$l/bounce/d" -type f)" ] || fail "bounce files left: $(find "$l/bounce/d" -type f)"
# Nobody local got a warning or a probe.
for u in alice bob; do
  [ "$(ls "$(home "$u")/Maildir/new" | wc -l)" = 1 ] || fail "$u got more than the post"
done
grep -Eq 'delivery [0-9]+: deferral: ' "$mta_log" && fail "a delivery was deferred: $(grep deferral "$mta_log")"
stop_mta
echo ok
