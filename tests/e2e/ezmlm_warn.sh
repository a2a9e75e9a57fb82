#!/bin/bash
# e2e: ezmlm-warn's schedule with a fake qmail-queue (ezmlm-idx tests 155
# and 280; reference ezmlm.md 5.2): nowarn, the warning for a stored bounce
# (exact envelope and header set), a bounced warning -> probe, a bounced
# probe -> removal with Log "-probe", the digest variants, repeated runs.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
ez ezmlm-sub "$d" bouncer@example.test keeper@example.org
ez ezmlm-sub "$d" digest bouncer@example.test
fake_qmail_queue

ret() {  # ret DEFAULT [ARGS] < message
  local def=$1 rc=0
  shift
  SENDER= DEFAULT=$def ez ezmlm-return "$@" "$d" 2>"$w/err" || rc=$?
  [ $rc = 99 ] || fail "ezmlm-return DEFAULT=$def: exit $rc: $(cat "$w/err")"
}
warn() {  # warn ARGS — expect exit 0
  local rc=0
  ez ezmlm-warn "$@" "$d" 2>"$w/err" || rc=$?
  [ $rc = 0 ] || fail "ezmlm-warn $*: exit $rc: $(cat "$w/err")"
}
sender_of() { tr '\0' '\n' <"$ez/qq.env" | head -1; }
rcpts_of() { tr '\0' '\n' <"$ez/qq.env" | sed 1d | grep . | tr '\n' ' '; }

cat >"$w/bounce" <<'MSG'
From: MAILER-DAEMON@example.test
Subject: failure notice

Hi. This is the qmail-send program at example.test.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<bouncer@example.test>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Subject: post
MSG
ret 1-bouncer=example.test <"$w/bounce"
ret 3-bouncer=example.test <"$w/bounce"
ret 1-bouncer=example.test -d <"$w/bounce"

# Usage errors.
rc=0; ez ezmlm-warn -t "$d" 2>/dev/null || rc=$?; [ $rc = 100 ] || fail "-t without a number: $rc"
rc=0; ez ezmlm-warn -t x "$d" 2>/dev/null || rc=$?; [ $rc = 100 ] || fail "-t x: $rc"

# The default timeout (10 days) leaves a fresh bounce alone.
warn -D
[ ! -e "$ez/qq.env" ] || fail "warning sent before the timeout"
# 155: nowarn -> nothing.
rm -f "$d/bounce/lastd"
touch "$d/nowarn"
warn -D -t0
[ ! -e "$ez/qq.env" ] || fail "nowarn: mail sent"
rm "$d/nowarn"

# 155: -D -t0 -> the warning.
warn -D -t0
[ -e "$ez/qq.env" ] || fail "no warning sent: $(cat "$w/err")"
sender_of | grep -Eq '^Flist-return-warn-[0-9]+\.[a-p]{20}-bouncer=example\.test@example\.test$' ||
  fail "warning envelope sender: $(envelope_text "$ez/qq.env")"
[ "$(rcpts_of)" = "Tbouncer@example.test " ] || fail "warning recipients: $(rcpts_of)"
grep -q 'warning sent to bouncer@example.test' "$w/err" || fail "no info line: $(cat "$w/err")"
# The exact header set of ezmlm-warn's mail, in order.
sed '/^$/q' "$ez/qq.msg" | sed -E 's/^([A-Za-z-]+):.*/\1/' | grep -v '^$' | tr '\n' ' ' >"$w/names"
[ "$(cat "$w/names")" = "Mailing-List Date Message-ID From To MIME-Version Content-Type Subject " ] ||
  fail "warning header names: $(cat "$w/names")"
grep -qx 'Mailing-List: contact list-help@example.test; run by ezmlm' "$ez/qq.msg" || fail "Mailing-List"
grep -qx 'From: list-help@example.test' "$ez/qq.msg" || fail "From: $(grep ^From "$ez/qq.msg")"
grep -qx 'To: bouncer@example.test' "$ez/qq.msg" || fail "To"
grep -qx 'Subject: Warning from list@example.test' "$ez/qq.msg" || fail "Subject: $(grep ^Subject "$ez/qq.msg")"
grep -q 'seem to have been bouncing' "$ez/qq.msg" || fail "no bounce-warn text"
grep -q 'I kept the numbers of the messages that bounced' "$ez/qq.msg" || fail "no bounce-num text"
grep -qx '   1' "$ez/qq.msg" && grep -qx '   3' "$ez/qq.msg" || fail "message numbers missing"
grep -q 'Below is a copy of the bounce message' "$ez/qq.msg" || fail "no bounce-bottom"
grep -qx '<bouncer@example.test>:' "$ez/qq.msg" || fail "no copy of the bounce"
[ -z "$(find "$d/bounce/d" -type f)" ] || fail "d files left: $(find "$d/bounce/d")"
[ -z "$(find "$d/bounce/h" -type f)" ] || fail "h file left after the warning"
[ -s "$d/bounce/lastd" ] || fail "no lastd"
warning_sender=$(sender_of | sed 's/^F//')
# The digest bounce was not touched by -D.
[ -n "$(find "$d/digest/bounce/d" -type f)" ] || fail "-D processed the digest"

# The warning bounces: ezmlm-return stores a w file.
wdef=${warning_sender#list-return-}
wdef=${wdef%@example.test}
rm -f "$ez/qq.env"
ret "$wdef" <"$w/bounce"
[ -n "$(find "$d/bounce/d" -type f -name 'w*')" ] || fail "no w file: $(cat "$w/err")"
# A forged warn cookie does not.
ret "$(echo "$wdef" | sed -E 's/\.[a-p]{20}-/.aaaaaaaaaaaaaaaaaaaa-/')" <"$w/bounce"
[ "$(find "$d/bounce/d" -type f -name 'w*' | wc -l)" = 1 ] || fail "forged warn cookie stored"

# Next run: the probe.
warn -D -t0
sender_of | grep -Eq '^Flist-return-probe-[0-9]+\.[a-p]{20}-bouncer=example\.test@example\.test$' ||
  fail "probe envelope sender: $(envelope_text "$ez/qq.env")"
grep -qx 'Subject: Probe from list@example.test' "$ez/qq.msg" || fail "probe Subject"
grep -q 'This is a probe' "$ez/qq.msg" || fail "no bounce-probe text"
probe_sender=$(sender_of | sed 's/^F//')
pdef=${probe_sender#list-return-}
pdef=${pdef%@example.test}

# The probe bounces: the address is removed, Log says -probe; keeper stays.
ret "$pdef" <"$w/bounce"
ez ezmlm-list "$d" >"$w/list"
grep -qx bouncer@example.test "$w/list" && fail "bouncer still subscribed"
grep -qx keeper@example.org "$w/list" || fail "keeper lost"
grep -Eq '^[0-9]+ -probe bouncer@example.test' "$d/Log" || fail "Log: $(cat "$d/Log")"

# 155: -d -t0 -> the digest warning.
rm -f "$ez/qq.env"
warn -d -t0
sender_of | grep -Eq '^Flist-digest-return-warn-[0-9]+\.[a-p]{20}-bouncer=example\.test@example\.test$' ||
  fail "digest warning envelope: $(envelope_text "$ez/qq.env")"
grep -qx 'From: list-digest-help@example.test' "$ez/qq.msg" || fail "digest From"
grep -qx 'Subject: Warning from list-digest@example.test' "$ez/qq.msg" || fail "digest Subject"
grep -q 'first messages of the digests that bounced' "$ez/qq.msg" || fail "no dig-bounce-num"

# 280: repeated -t0 runs succeed and send nothing more; bouncer stays removed.
rm -f "$ez/qq.env"
warn -t0
warn -t0
[ ! -e "$ez/qq.env" ] || fail "repeated run sent mail"
ez ezmlm-list "$d" | grep -qx bouncer@example.test && fail "bouncer came back"

# A stored bounce of someone who left meanwhile is dropped without mail.
ez ezmlm-sub "$d" gone@example.org
ret 4-gone=example.org <"$w/bounce"
ez ezmlm-unsub "$d" gone@example.org
warn -D -t0
[ ! -e "$ez/qq.env" ] || fail "mail to a non-subscriber"
[ -z "$(find "$d/bounce/d" -type f)" ] || fail "non-subscriber's d file kept"

# Queue failure: the bounce file stays for the next run.
ez ezmlm-sub "$d" again@example.org
ret 5-again=example.org <"$w/bounce"
fake_qmail_queue 71
rc=0; ez ezmlm-warn -D -t0 "$d" 2>"$w/err" || rc=$?
[ $rc = 111 ] || fail "queue failure: exit $rc"
[ -n "$(find "$d/bounce/d" -type f)" ] || fail "bounce lost on queue failure"
echo ok
