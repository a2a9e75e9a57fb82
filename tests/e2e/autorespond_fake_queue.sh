#!/bin/bash
# autorespond hands qmail-queue exactly the reply RFC 3834 asks for.
#
# A fake qmail-queue saves the message and envelope. One mail from mary
# gets the reply: the header block in our order (Date, Message-ID, From,
# To, Subject with %S, In-Reply-To, References, Auto-Submitted,
# Precedence, the template's Reply-To, MIME fields), the body with %s and
# the quoted text part; envelope F<EXT@HOST or RECIPIENT> T<mary>, or F<>
# with --null-sender, plus --copy-to. Then the exit codes: suppression 0
# without touching the queue, usage / missing MESSAGE / missing DIR 111,
# qmail-queue deferring 111 without a record, refusing for good 0.
. "$LETTERSHOP_SRC/tests/e2e/lib/autorespond.sh"
ar_instance
fake_queue 0
ar_message 'From: Joe Example <joe@example.test>
Subject: Away: %S
Reply-To: joe.backup@example.test

I am away until Monday.
Your mail from %s will wait.
'
printf 'From: Mary <mary@example.org>\nTo: joe@example.test\nSubject: Lunch?\nMessage-ID: <m1@example.org>\n\nShall we?\n' >"$work/mail"

ar_run mary@example.org "$work/mail" 10000 5 ./message ./ar
[ "$rc" = 0 ] || fail "exit $rc: $out"
echo "$out" | grep -Eqx 'autorespond: sent reply to mary@example\.org qp [0-9]+' || fail "log line: $out"
grep -Eqx 'Date: [1-9][0-9]? [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} -0000' "$work/qq.msg" || fail "Date: $(head -1 "$work/qq.msg")"
grep -Eqx 'Message-ID: <[0-9]+\.[0-9]+\.autorespond@example\.test>' "$work/qq.msg" || fail "Message-ID: $(sed -n 2p "$work/qq.msg")"
sed -n '3,$p' "$work/qq.msg" >"$work/got"
cat >"$work/want" <<'MSG'
From: Joe Example <joe@example.test>
To: mary@example.org
Subject: Away: Lunch?
In-Reply-To: <m1@example.org>
References: <m1@example.org>
Auto-Submitted: auto-replied
Precedence: bulk
Reply-To: joe.backup@example.test
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

I am away until Monday.
Your mail from mary@example.org will wait.

-------- Original Message --------
> Shall we?
MSG
cmp -s "$work/want" "$work/got" || fail "reply differs: $(diff "$work/want" "$work/got")"
[ "$(envelope_text "$work/qq.env")" = "Fjoe@example.test|Tmary@example.org||" ] ||
  fail "envelope: $(envelope_text "$work/qq.env")"
[ "$(ar_records)" = 1 ] || fail "want one record, have $(ar_records)"
[ "$(cat "$ar"/ar/A*)" = mary@example.org ] || fail "record holds $(cat "$ar"/ar/A*)"

# --null-sender, --copy-to, FLAG 0 (no quote), ARSENDER literal.
ar_run ann@example.org "$work/mail" --null-sender --copy-to joe@elsewhere.example 10000 5 ./message ./ar 0 away@example.test
[ "$rc" = 0 ] || fail "exit $rc: $out"
[ "$(envelope_text "$work/qq.env")" = "F|Tann@example.org|Tjoe@elsewhere.example||" ] ||
  fail "envelope with --null-sender: $(envelope_text "$work/qq.env")"
grep -q 'Original Message' "$work/qq.msg" && fail "FLAG 0 still quoted"
grep -qx 'From: Joe Example <joe@example.test>' "$work/qq.msg" || fail "template From lost"

# Suppressed: exit 0, and qmail-queue is never run.
rm -f "$work/qq.msg"
printf 'From: list@example.org\nList-Id: <l.example.org>\nSubject: news\n\nnews\n' >"$work/list"
ar_run bob@example.org "$work/list" 10000 5 ./message ./ar
[ "$rc" = 0 ] || fail "list mail: exit $rc"
[ "$out" = "autorespond: no reply to bob@example.org: list" ] || fail "list mail: $out"
ar_run '' "$work/mail" 10000 5 ./message ./ar
[ "$rc" = 0 ] && [ "$out" = "autorespond: no reply to : null sender" ] || fail "bounce: exit $rc, $out"
printf 'Delivered-To: Autoresponder\nSubject: Re: x\n\nx\n' >"$work/loop"
ar_run carl@example.org "$work/loop" 10000 5 ./message ./ar
[ "$rc" = 0 ] && [ "$out" = "autorespond: no reply to carl@example.org: loop" ] || fail "2.0 loop marker: exit $rc, $out"
[ -e "$work/qq.msg" ] && fail "a suppressed mail reached qmail-queue"

# Configuration trouble defers the delivery (111), as in autorespond 2.0.
ar_run dan@example.org "$work/mail" 10000 5 ./message
[ "$rc" = 111 ] || fail "three operands: exit $rc"
ar_run dan@example.org "$work/mail" 10000 5 ./missing ./ar
[ "$rc" = 111 ] || fail "missing MESSAGE: exit $rc"
ar_run dan@example.org "$work/mail" 10000 5 ./message ./missing
[ "$rc" = 111 ] || fail "missing DIR: exit $rc"
[ -e "$work/qq.msg" ] && fail "a failed run reached qmail-queue"

# qmail-queue deferring: 111 and no record (the reply is not lost);
# refusing for good: 0 (never bounce the owner's mail), no record either.
before=$(ar_records)
fake_queue 71
ar_run erin@example.org "$work/mail" 10000 5 ./message ./ar
[ "$rc" = 111 ] || fail "qmail-queue 71: exit $rc: $out"
fake_queue 31
ar_run erin@example.org "$work/mail" 10000 5 ./message ./ar
[ "$rc" = 0 ] || fail "qmail-queue 31: exit $rc: $out"
echo "$out" | grep -q '^autorespond: reply to erin@example.org refused: ' || fail "qmail-queue 31: $out"
[ "$(ar_records)" = "$before" ] || fail "a reply that did not go was recorded"
echo ok
