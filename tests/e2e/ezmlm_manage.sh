#!/bin/bash
# e2e: ezmlm-manage subscribe/unsubscribe chains with a fake qmail-queue
# (ezmlm-idx tests 400, 505, 506, 510-514, 519, 570; reference ezmlm.md 3.1, 4):
# the exact header set of every reply, key body sentences, envelopes,
# the subscriber db and Log after each step.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
touch "$d/public"
echo 100 >"$d/confirmlimit"  # this scenario sends many requests to one address
fake_qmail_queue

request() {  # request FILE — a plain request from $SENDER
  printf 'Delivered-To: list-cmd@example.test\nFrom: Tester <%s>\nSubject: please\n\nfirst body line\nsecond body line\nthird\n' \
    "${SENDER}" >"$w/req"
}

# manage DEFAULT [ARGS] — run it, expect exit 0 and a qp line
manage() {
  local def=$1
  shift
  rm -f "$ez/qq.msg" "$ez/qq.env"
  DEFAULT=$def ez ezmlm-manage "$@" "$d" <"$w/req" 2>"$w/err" || fail "ezmlm-manage $def: $(cat "$w/err")"
  grep -Eq '^ezmlm-manage: info: qp [0-9]+$' "$w/err" || fail "$def: no qp line: $(cat "$w/err")"
}

# The header field names of the reply, in order, on one line.
names() { sed '/^$/q' "$ez/qq.msg" | grep -v '^$' | grep -v '^[ 	]' | sed 's/:.*//' | tr '\n' ' '; }
hdr() { sed '/^$/q' "$ez/qq.msg" | sed -n "s/^$1: //p"; }
body_has() { sed '1,/^$/d' "$ez/qq.msg" | grep -qF -- "$1" || fail "body lacks '$1': $(cat "$ez/qq.msg")"; }
env_is() { [ "$(envelope_text "$ez/qq.env")" = "$1" ] || fail "envelope $(envelope_text "$ez/qq.env"), want $1"; }

base="Mailing-List List-Help List-Post List-Subscribe Date Message-ID From To Delivered-To Delivered-To MIME-Version Content-Type"
SENDER=test@example.org
export SENDER
request

# 511: subscribe probe (sc) to the target, Reply-To the cookie address.
manage subscribe
[ "$(names)" = "$base Reply-To Subject " ] || fail "sc headers: $(names)"
[ "$(hdr Subject)" = "confirm subscribe to list@example.test" ] || fail "sc subject $(hdr Subject)"
[ "$(hdr From)" = "list-help@example.test" ] || fail "sc from"
[ "$(hdr To)" = "test@example.org" ] || fail "sc to"
hdr Delivered-To | grep -qx 'responder for list@example.test' || fail "no responder line"
hdr Delivered-To | grep -qx 'list-cmd@example.test' || fail "request's Delivered-To not copied"
hdr Content-Type | grep -q '^text/plain; charset=[a-z0-9-]*$' || fail "ctype $(hdr Content-Type)"
sc=$(hdr Reply-To)
[[ "$sc" =~ ^list-sc\.[0-9]{10}\.[a-p]{20}-test=example\.org@example\.test$ ]] || fail "sc address $sc"
env_is "Flist-return-@example.test|Ttest@example.org||"
body_has "To confirm that you want"
body_has "   $sc"
# 570 (without omitbottom): the bottom and the request copy are there.
body_has "--- Here is a copy of the request I received:"
body_has "Return-Path: <test@example.org>"
# 519: copylines absent = header only.
if sed '1,/^$/d' "$ez/qq.msg" | grep -q 'first body line'; then fail "copylines 0 copied body"; fi
[ -z "$(ez ezmlm-list "$d")" ] || fail "subscribed before confirming"

# 512: the confirmation subscribes and welcomes, with List-Unsubscribe.
def=${sc#list-}
manage "${def%@example.test}"
[ "$(names)" = "$base List-Unsubscribe Subject " ] || fail "welcome headers: $(names)"
[ "$(hdr Subject)" = "WELCOME to list@example.test" ] || fail "welcome subject"
[ "$(hdr List-Unsubscribe)" = "<mailto:list-unsubscribe-test=example.org@example.test>" ] || fail "List-Unsubscribe"
body_has "is now subscribed"
[ "$(ez ezmlm-list "$d")" = "test@example.org" ] || fail "not subscribed"
grep -Eq '^[0-9]+ \+ test@example.org Tester <test@example.org>$' "$d/Log" || fail "Log: $(cat "$d/Log")"

# 510: sub-nop, no confirmation.
manage subscribe
[ "$(names)" = "$base Subject " ] || fail "sub-nop headers: $(names)"
[ "$(hdr Subject)" = "Already subscribed to list@example.test" ] || fail "sub-nop subject"
body_has "was already subscribed"

# 511: unsubscribe probe (uc).
manage unsubscribe
[ "$(names)" = "$base Reply-To Subject " ] || fail "uc headers: $(names)"
[ "$(hdr Subject)" = "confirm unsubscribe from list@example.test" ] || fail "uc subject"
uc=$(hdr Reply-To)
[[ "$uc" =~ ^list-uc\.[0-9]+\.[a-p]{20}-test=example\.org@example\.test$ ]] || fail "uc address $uc"
body_has "removed from the list list"

# 512: goodbye.
def=${uc#list-}
manage "${def%@example.test}"
[ "$(names)" = "$base Subject " ] || fail "goodbye headers: $(names)"
[ "$(hdr Subject)" = "GOODBYE from list@example.test" ] || fail "goodbye subject"
body_has "is no longer subscribed"
[ -z "$(ez ezmlm-list "$d")" ] || fail "still subscribed"
grep -Eq '^[0-9]+ - test@example.org' "$d/Log" || fail "Log -: $(cat "$d/Log")"

# 510: unsub-nop.
manage unsubscribe
[ "$(hdr Subject)" = "Not subscribed to list@example.test" ] || fail "unsub-nop subject"
[ "$(names)" = "$base Subject " ] || fail "unsub-nop headers: $(names)"

# 505: the tags of a digest-subscribe confirmation, from a text/top of tags.
cp -r "$d/text" "$w/text.saved"
printf 'L=<#L#> l=<#l#> R=<#R#> c=<#c#> X=<#X#> C=<#C#> T=<#T#> n=<#n#> A=<#A#>\n' >"$d/text/top"
manage digest-subscribe
line=$(sed '1,/^$/d' "$ez/qq.msg" | head -1)
[[ "$line" =~ ^L=list\ l=list-digest\ R=list-digest-sc\.[0-9]{10}\.[a-p]{20}-test=example\.org@example\.test\ c=sc\.[0-9]{10}\.[a-p]{20}-test=example\.org\ X=sc\.\ C=[a-p]{20}\ T=[0-9]{10}\ n=\?\?\?\?\?\ A=test@example\.org$ ]] ||
  fail "505 tags: $line"
[ "$(hdr Subject)" = "confirm subscribe to list-digest@example.test" ] || fail "digest subject"
[ "$(hdr List-Help)" = "<mailto:list-digest-help@example.test>" ] || fail "digest List-Help"
env_is "Flist-digest-return-@example.test|Ttest@example.org||"
rm "$d/text/top"

# The digest confirmation subscribes to digest/ only.
sc=$(hdr Reply-To)
def=${sc#list-}
manage "${def%@example.test}"
[ "$(ez ezmlm-list "$d" digest)" = "test@example.org" ] || fail "digest not subscribed"
[ -z "$(ez ezmlm-list "$d")" ] || fail "main list changed by a digest confirmation"
# A digest cookie does not work for the main list (key shortened by one byte).
def=${def#digest-}
manage "${def%@example.test}"
[ -z "$(ez ezmlm-list "$d")" ] || fail "digest cookie subscribed the main list"
body_has "was not valid"

# 506: a local text/messages entry wins, others fall back.
printf 'SUB_WELCOME:Hello and welcome to\n' >"$d/text/messages"
manage subscribe-other=example.org -S
[ "$(hdr Subject)" = "Hello and welcome to list@example.test" ] || fail "506 local message: $(hdr Subject)"
manage subscribe-other=example.org -S
[ "$(hdr Subject)" = "Already subscribed to list@example.test" ] || fail "506 fallback: $(hdr Subject)"
rm "$d/text/messages"

# 519: copylines 1 and 2.
echo 2 >"$d/copylines"
manage help
sed '1,/^$/d' "$ez/qq.msg" | grep -q '^second body line$' || fail "copylines 2"
if sed '1,/^$/d' "$ez/qq.msg" | grep -q '^third$'; then fail "copylines 2 copied 3"; fi
echo 1 >"$d/copylines"
manage help
sed '1,/^$/d' "$ez/qq.msg" | grep -q '^first body line$' || fail "copylines 1"
if sed '1,/^$/d' "$ez/qq.msg" | grep -q '^second body line$'; then fail "copylines 1 copied 2"; fi
rm "$d/copylines"

# help: From -return- for the literal command, -help- for unknown ones; subject.
manage help
[ "$(hdr From)" = "list-return-@example.test" ] || fail "help From $(hdr From)"
[ "$(hdr Subject)" = "Help for list@example.test" ] || fail "help subject $(hdr Subject)"
body_has "This is general help for the list."
manage qqqq
[ "$(hdr From)" = "list-help@example.test" ] || fail "unknown command From"
body_has "This is general help for the list."

# 570: omitbottom drops bottom and copy (also for help? no: help forces it).
touch "$d/omitbottom"
manage info
body_has "No description of this list"
if grep -q 'copy of the request' "$ez/qq.msg"; then fail "omitbottom ignored"; fi
[ "$(hdr Subject)" = "Information on list@example.test" ] || fail "info subject"
manage faq -b
body_has "copy of the request"
rm "$d/omitbottom"
manage info -B
if grep -q 'copy of the request' "$ez/qq.msg"; then fail "-B ignored"; fi

# query: status of the sender.
manage query
[ "$(hdr Subject)" = "Subscription status on list@example.test" ] || fail "query subject"
body_has "is not subscribed"

# 400: SRS/prvs/BATV senders are decoded: the reply goes to the real address.
for s in 'SRS0=HHH=TT=host=xyzzy@fwd.example' 'SRS1=HHH=fwd0.example==HHH=TT=host=xyzzy@fwd.example' \
  'prvs=0123456789=xyzzy@host' 'prvs=xyzzy=0123456789@host' 'btv1==0123456789==xyzzy@host'; do
  SENDER=$s manage subscribe
  env_is "Flist-return-@example.test|Txyzzy@host||"
  [ "$(hdr To)" = "xyzzy@host" ] || fail "400 $s: To $(hdr To)"
done

# -S: subscribe at once; -U: unsubscribe at once (160); nosubconfirm, nounsubconfirm.
manage subscribe-a=example.org -S
[ "$(hdr Subject)" = "WELCOME to list@example.test" ] || fail "-S"
ez ezmlm-list "$d" | grep -qx 'a@example.org' || fail "-S not subscribed"
manage unsubscribe-a=example.org -U
[ "$(hdr Subject)" = "GOODBYE from list@example.test" ] || fail "-U"
touch "$d/nosubconfirm" "$d/nounsubconfirm"
manage subscribe-b=example.org
ez ezmlm-list "$d" | grep -qx 'b@example.org' || fail "nosubconfirm"
manage unsubscribe-b=example.org
if ez ezmlm-list "$d" | grep -qx 'b@example.org'; then fail "nounsubconfirm"; fi
manage subscribe-c=example.org -s
[ "$(hdr Subject)" = "confirm subscribe to list@example.test" ] || fail "-s over nosubconfirm"
rm "$d/nosubconfirm" "$d/nounsubconfirm"

# -a prints each text sent.
manage info -a
grep -qx 'ezmlm-manage: info: sending top' "$w/err" || fail "-a top"
grep -qx 'ezmlm-manage: info: sending info' "$w/err" || fail "-a info"
grep -qx 'ezmlm-manage: info: sending bottom' "$w/err" || fail "-a bottom"

# Exit codes of the plumbing.
expect_exit ezmlm-manage 100 "ezmlm-manage: fatal: DEFAULT not set" "$d" <"$w/req"
SENDER= DEFAULT=help expect_exit ezmlm-manage 100 "ezmlm-manage: fatal: I do not reply to bounce messages (#5.7.2)" "$d" <"$w/req"
DEFAULT=help ez ezmlm-manage -V "$d" </dev/null 2>"$w/err" || fail "-V exit $?"
grep -q '^ezmlm version: ezmlm-idx-7.2.2' "$w/err" || fail "-V: $(cat "$w/err")"
DEFAULT=help expect_exit ezmlm-manage 100 "ezmlm-manage: usage: ezmlm-manage [-aAbBcCdDeEfFlLmMnNqQsSuUvV] dir" -x "$d" <"$w/req"
rm "$d/public"
DEFAULT=info expect_exit ezmlm-manage 100 "ezmlm-manage: fatal: this list does not take requests from the public (#5.7.2)" "$d" <"$w/req"
echo ok
