#!/bin/bash
# e2e: ezmlm-manage against bad input and abuse (issue 7, "Abuse and bad
# input"): forged, altered and truncated cookies never subscribe anyone and
# get a clear answer; at most confirmlimit requests a day reach one address;
# automatic mail is not answered; ezmlm-idx's loop refusals stay.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
touch "$d/public"
fake_qmail_queue
SENDER=victim@example.org
export SENDER
printf 'From: <victim@example.org>\nSubject: x\n\n' >"$w/req"

run() {  # run DEFAULT [FILE] — exit 0 expected; stderr in $w/err
  rm -f "$ez/qq.msg" "$ez/qq.env"
  DEFAULT=$1 ez ezmlm-manage "$d" <"${2:-$w/req}" 2>"$w/err" || fail "ezmlm-manage $1: exit $? $(cat "$w/err")"
}
sent() { [ -e "$ez/qq.msg" ] || fail "no mail for $1: $(cat "$w/err")"; }
silent() { [ ! -e "$ez/qq.msg" ] || fail "mail sent for $1"; }
hdr() { sed '/^$/q' "$ez/qq.msg" | sed -n "s/^$1: //p"; }
nobody() { [ -z "$(ez ezmlm-list "$d")" ] || fail "$1 subscribed: $(ez ezmlm-list "$d")"; }

run subscribe
sent subscribe
good=$(hdr Reply-To)
good=${good#list-}
good=${good%@example.test}   # sc.T.H-victim=example.org
t=$(echo "$good" | cut -d. -f2)
h=$(echo "$good" | cut -d. -f3 | cut -d- -f1)
echo 50 >"$d/confirmlimit"

# Forged and damaged cookies: a fresh request with sub-bad, never a subscription.
for bad in "sc.$t.aaaaaaaaaaaaaaaaaaaa-victim=example.org" \
  "sc.$((t + 1)).$h-victim=example.org" \
  "sc.$t.${h:0:19}-victim=example.org" \
  "sc.$t.${h:0:10}" \
  "sc.$t" "sc." "sc.x.$h-victim=example.org" \
  "uc.$t.$h-victim=example.org" \
  "sc.$t.$h-other=example.org"; do
  run "$bad"
  sent "$bad"
  nobody "$bad"
  grep -q '^ezmlm-manage: info: bad or forged confirmation ' "$w/err" || fail "$bad: $(cat "$w/err")"
  sed '1,/^$/d' "$ez/qq.msg" | grep -q 'was not valid' || fail "$bad: no sub-bad/unsub-bad text"
  fresh=$(hdr Reply-To)
  [[ "$fresh" =~ ^list-[su]c\.[0-9]+\.[a-p]{20}- ]] || fail "$bad: no fresh request ($fresh)"
done
# A deny- cookie made for the main list is refused before anything (not a moderator).
DEFAULT="deny-$good" expect_exit ezmlm-manage 100 "ezmlm-manage: fatal: only moderators may use this command (#5.7.2)" "$d" <"$w/req"
# tc/rc from someone who is not a remote moderator: refused, nothing sent.
DEFAULT="tc.$t.$h-victim=example.org" expect_exit ezmlm-manage 100 \
  "ezmlm-manage: info: bad or forged confirmation tc.$t.$h for victim@example.org
ezmlm-manage: fatal: this moderation request is malformed or out of date (#5.7.1)" "$d" <"$w/req"
nobody tc
# The real one still works.
run "$good"
[ "$(ez ezmlm-list "$d")" = "victim@example.org" ] || fail "good cookie refused"
ez ezmlm-unsub "$d" victim@example.org

# Subscription bombing: 3 requests a day to one address, then silence (exit 0).
rm "$d/confirmlimit" "$d/confirmcount"
SENDER=attacker@example.net
for i in 1 2 3; do
  run subscribe-stranger=example.com
  sent "request $i"
  [ "$(hdr To)" = "stranger@example.com" ] || fail "request $i To"
done
for i in 4 5; do
  run subscribe-Stranger=EXAMPLE.com
  silent "request $i"
  grep -qx 'ezmlm-manage: info: not sending another request to Stranger@EXAMPLE.com today (confirmlimit 3 reached)' "$w/err" ||
    fail "limit info: $(cat "$w/err")"
done
run unsubscribe-stranger=example.com
silent "unsub-nop to a stranger over the limit"
# Another address is not affected; the count file names no address.
run subscribe-other=example.com
sent other
if grep -qi 'stranger\|example' "$d/confirmcount"; then fail "confirmcount shows addresses"; fi
[ "$(wc -l <"$d/confirmcount")" = 2 ] || fail "confirmcount lines: $(cat "$d/confirmcount")"
grep -Eq "^[0-9]+ [a-p]{20} 3$" "$d/confirmcount" || fail "count 3 missing: $(cat "$d/confirmcount")"
# Yesterday's lines are dropped on the next write; a damaged file is survived.
printf '1 abcdefghijklmnopabcd 99\ngarbage\n' >>"$d/confirmcount"
run subscribe-third=example.com
sent third
if grep -q '^1 \|garbage' "$d/confirmcount"; then fail "old lines kept"; fi
echo 0 >"$d/confirmlimit"
run subscribe-stranger=example.com
sent "no limit with confirmlimit 0"

# Automatic mail is not answered (exit 0, info line, no mail).
SENDER=someone@example.org
for h in 'Auto-Submitted: auto-replied' 'Precedence: bulk' 'Precedence: junk' 'Precedence: list' 'List-Id: <x.example.org>'; do
  printf '%s\nFrom: someone@example.org\n\n' "$h" >"$w/auto"
  run subscribe "$w/auto"
  silent "$h"
  grep -q '^ezmlm-manage: info: not answering ' "$w/err" || fail "$h: $(cat "$w/err")"
done
SENDER=MAILER-DAEMON@example.org run help
silent MAILER-DAEMON
# An autoresponder answering a confirmation request must not confirm it.
SENDER=victim@example.org run subscribe
sc=$(hdr Reply-To)
sc=${sc#list-}
printf 'Auto-Submitted: auto-replied\nFrom: victim@example.org\n\nI am on vacation\n' >"$w/auto"
SENDER=victim@example.org run "${sc%@example.test}" "$w/auto"
silent "autoreply to sc"
nobody "autoreply"
# ... but a person's reply that kept our List-* headers does.
printf 'List-Help: <mailto:list-help@example.test>\nFrom: victim@example.org\n\n' >"$w/fwd"
SENDER=victim@example.org run "${sc%@example.test}" "$w/fwd"
sent "confirmation with List-*"
[ "$(ez ezmlm-list "$d")" = "victim@example.org" ] || fail "confirmation with List-* refused"

# ezmlm-idx's refusals: an incoming Mailing-List and our own Delivered-To line.
printf 'Mailing-List: contact x-help@y\n\n' >"$w/ml"
DEFAULT=help expect_exit ezmlm-manage 100 \
  "ezmlm-manage: fatal: this message came from a mailing list; I do not reply to those (#5.7.2)" "$d" <"$w/ml"
printf 'Delivered-To: responder for list@example.test\n\n' >"$w/loop"
DEFAULT=help expect_exit ezmlm-manage 100 \
  "ezmlm-manage: fatal: this message already has my Delivered-To line (#5.4.6)" "$d" <"$w/loop"
# Bad target addresses: refused, nothing written.
DEFAULT='subscribe-no_at_sign' expect_exit ezmlm-manage 100 \
  "ezmlm-manage: fatal: the address has no '@': no_at_sign (#5.1.3)" "$d" <"$w/req"
long=$(printf 'a%.0s' $(seq 1 300))
DEFAULT="subscribe-$long=example.org" SENDER=x@example.org ez ezmlm-manage "$d" <"$w/req" 2>"$w/err" && fail "long address accepted"
# A target with a line break never reaches a header (unsubscribe answers a
# stranger, so it would otherwise be a header injection).
rm -f "$ez/qq.msg"
rc=0
DEFAULT="$(printf 'unsubscribe-x=y.org\nBcc: z@example.org')" SENDER=x@example.org ez ezmlm-manage "$d" <"$w/req" 2>"$w/err" || rc=$?
[ "$rc" = 100 ] || fail "line break in target: exit $rc"
grep -q 'line break' "$w/err" || fail "line break in target: $(cat "$w/err")"
[ ! -e "$ez/qq.msg" ] || fail "line break in target: mail sent"
# A queue failure is temporary and changes nothing.
fake_qmail_queue 81
DEFAULT=subscribe-tmp=example.org SENDER=x@example.org ez ezmlm-manage -S "$d" <"$w/req" 2>"$w/err" && fail "queue failure ignored"
rc=0
DEFAULT=info SENDER=x@example.org ez ezmlm-manage "$d" <"$w/req" 2>"$w/err" || rc=$?
[ "$rc" = 111 ] || fail "queue failure: exit $rc"
# No key: temporary.
fake_qmail_queue
mv "$d/key" "$d/key.off"
rc=0
DEFAULT=subscribe SENDER=x@example.org ez ezmlm-manage "$d" <"$w/req" 2>"$w/err" || rc=$?
[ "$rc" = 111 ] || fail "no key: exit $rc"
echo ok
