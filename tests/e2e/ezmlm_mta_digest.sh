#!/bin/bash
# Issue 10 through the real mail system: a list with one subscriber and one
# digest subscriber gets five posts; the editor's
#   if test -e DIR/digested && ezmlm-tstdig DIR; then ezmlm-get DIR ...
# line makes a digest after the fifth (digcount 5, time and size off), and
# it reaches the digest subscriber's Maildir through the VERP digest return
# path. Python's email package must parse it into five messages with the
# posts' subjects. A further ezmlm-get from the command line finds nothing.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
need_programs ezmlm-reject ezmlm-checksub ezmlm-send ezmlm-sub ezmlm-get ezmlm-tstdig
mta_instance
ezmlm_env "$dir"
list_users alice dave

l=$o/team
ez ezmlm-make -fd -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$l" "$o/.qmail-team" team example.test ||
  fail "ezmlm-make failed"
[ -e "$l/digested" ] || fail "ezmlm-make -d made no digested file"
chmod 0755 "$o"
echo 5 >"$l/digcount"; echo 0 >"$l/digtime"; echo 0 >"$l/digsize"
ez ezmlm-sub "$l" alice@example.test || fail "ezmlm-sub alice"
ez ezmlm-sub "$l" digest dave@example.test || fail "ezmlm-sub digest dave"
start_mta ./Mailbox

for i in 1 2 3 4 5; do
  printf 'From: alice@example.test\nTo: team@example.test\nSubject: post number %s\n\nbody %s\n' "$i" "$i" |
    inject alice@example.test team@example.test
  wait_queue_empty 30
done
box=$(home dave)/Maildir/new
n=$(ls "$box" | wc -l)
[ "$n" = 1 ] || fail "dave has $n messages (want one digest); log: $(cat "$mta_log")"
[ "$(ls "$(home alice)/Maildir/new" | wc -l)" = 5 ] || fail "alice did not get the five posts"
m=$box/$(ls "$box")
grep -q '^Return-Path: <team-digest-return-1-dave=example.test@example.test>$' "$m" ||
  fail "digest return path: $(grep -i '^Return-Path' "$m")"
grep -Eq '^Subject: team Digest .* Issue 1$' "$m" || fail "digest subject: $(grep '^Subject' "$m")"
grep -qx 'To: team@example.test' "$m" || fail "digest To"
/usr/bin/python3 - "$m" <<'PY' || fail "python could not parse the digest: $(cat "$m")"
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
assert msg.get_content_type() == "multipart/digest", msg.get_content_type()
inner = [p for p in msg.iter_parts() if p.get_content_type() == "message/rfc822"]
assert len(inner) == 5, len(inner)
subjects = sorted(str(p.get_content()["Subject"]) for p in inner)
assert subjects == ["[team] post number %d" % i for i in range(1, 6)] or \
       subjects == ["post number %d" % i for i in range(1, 6)], subjects
PY
grep -Eq '^5:[0-9]+:[0-9]+$' "$l/dignum" || fail "dignum: $(cat "$l/dignum" 2>&1)"
[ "$(cat "$l/digissue")" = 1:0 ] || fail "digissue: $(cat "$l/digissue")"

# Nothing new: the command line sends nothing.
"$LETTERSHOP_BIN/ezmlm-get" "$l" 2>"$dir/get.err" || fail "ezmlm-get: $(cat "$dir/get.err")"
grep -q 'nothing to digest' "$dir/get.err" || fail "ezmlm-get: $(cat "$dir/get.err")"
wait_queue_empty 30
[ "$(ls "$box" | wc -l)" = 1 ] || fail "a second digest arrived"
grep -Eq 'delivery [0-9]+: (failure|deferral): ' "$mta_log" && fail "a delivery failed: $(cat "$mta_log")"
stop_mta
echo ok
