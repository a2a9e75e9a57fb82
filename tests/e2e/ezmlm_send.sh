#!/bin/bash
# e2e: ezmlm-send on a list made by hand, with a fake qmail-queue that keeps
# fd 0 and fd 1 (ezmlm-idx tests 120, 550, 551, 560; reference ezmlm.md 3.3).
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
echo "[PFX]" >"$d/prefix"
printf 'Precedence: bulk\nX-No-Archive: yes\nList-Post: <mailto:<#l#>@<#h#>>\nSender: <<#l#>@<#h#>>\n' >"$d/headeradd"
printf 'content-length\nreturn-receipt-to\nsender\n' >"$d/headerremove"
ez ezmlm-sub "$d" sub1@example.org Sub2@Example.ORG
fake_qmail_queue
SENDER=poster@example.org
export SENDER

post() {  # post FILE [ARGS] — expect success and a "qp" line
  ez ezmlm-send "$@" "$d" <"$w/in" 2>"$w/err" || fail "ezmlm-send $*: $(cat "$w/err")"
  grep -Eq '^ezmlm-send: info: qp [0-9]+$' "$w/err" || fail "no qp line: $(cat "$w/err")"
}

# 120/550: the exact header and envelope of a first post.
body=$(printf 'line %03d of the body of the first post\n' $(seq 1 10))
cat >"$w/in" <<MSG
Received: #LAST#
ReCEIved: #PENULTIMATE#
From: test@example.org
To: list@example.test
Subject: test post
X-Test-Header: one
Content-Length: zip
retuRN-RECeipt-to: test@example.org

$body
MSG
post
cat >"$w/want" <<MSG
Mailing-List: contact list-help@example.test; run by ezmlm
Precedence: bulk
X-No-Archive: yes
List-Post: <mailto:list@example.test>
Sender: <list@example.test>
Delivered-To: mailing list list@example.test
Received: #LAST#
From: test@example.org
To: list@example.test
X-Test-Header: one
Subject: [PFX] test post

$body
MSG
diff -u "$w/want" "$ez/qq.msg" || fail "outgoing post differs"
# Recipients come in the store's bucket order: compare them sorted.
[ "$(tr '\0' '\n' <"$ez/qq.env" | head -1)" = "Flist-return-1-@example.test-@[]" ] ||
  fail "envelope sender: $(envelope_text "$ez/qq.env")"
[ "$(tr '\0' '\n' <"$ez/qq.env" | sed 1d | LC_ALL=C sort | tr '\n' '|')" = "|TSub2@example.org|Tsub1@example.org|" ] ||
  fail "envelope: $(envelope_text "$ez/qq.env")"
[ "$(cat "$d/num")" = "1:2" ] || fail "num is $(cat "$d/num")"
[ -x "$d/archive/0/01" ] || fail "archive/0/01 not complete"
grep -q '#PENULTIMATE#' "$d/archive/0/01" || fail "archive lost a Received line"
grep -qi 'return-receipt-to' "$d/archive/0/01" && fail "headerremove not applied to the archive"
grep -q '^Subject: test post$' "$d/archive/0/01" || fail "archive subject"
head -1 "$d/archive/0/01" | grep -qx 'Return-Path: <poster@example.org>' || fail "archive Return-Path"
grep -Eq '^1: [a-p]{20} test post$' "$d/archive/0/index" || fail "index: $(cat "$d/archive/0/index")"

# -r keeps every Received line; no prefix doubling on replies.
sed -i 's/^Subject: .*/Subject: Re: [PFX] test post/' "$w/in"
post -r
grep -q '#PENULTIMATE#' "$ez/qq.msg" || fail "-r dropped a Received line"
grep -qx 'Subject: Re: \[PFX\] test post' "$ez/qq.msg" || fail "prefix doubled"
grep -Eq '^2: [a-p]{20} Re: test post$' "$d/archive/0/index" || fail "index of a reply"

# Loop: our own Delivered-To line is refused, nothing changes.
num=$(cat "$d/num")
{ echo "Delivered-To: mailing list list@example.test"; cat "$w/in"; } >"$w/loop"
rc=0; ez ezmlm-send "$d" <"$w/loop" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "loop: exit $rc"
[ "$(cat "$d/num")" = "$num" ] || fail "loop changed num"

# A failing qmail-queue: 111, num unchanged, no archive file 03.
fake_qmail_queue 53
rc=0; ez ezmlm-send "$d" <"$w/in" 2>"$w/err" || rc=$?
[ $rc = 111 ] || fail "failed queue: exit $rc"
[ "$(cat "$d/num")" = "$num" ] || fail "failed queue changed num to $(cat "$d/num")"
ls "$d/archive/0" | grep -q '^03' && fail "failed queue left an archive file"
fake_qmail_queue

# 560: trailer on a plain post, a base64 post, and by flags.
echo "trailer is present" >"$d/text/trailer"
printf 'From: test@example.org\nSubject: test post\n\nmessage goes here\n' >"$w/in"
touch "$d/addtrailer"
post
tail -2 "$ez/qq.msg" | head -1 | grep -qx '' && tail -1 "$ez/qq.msg" | grep -qx 'trailer is present' ||
  fail "plain trailer: $(tail -3 "$ez/qq.msg")"
grep -q 'trailer is present' "$d/archive/0/03" && fail "trailer archived"
printf 'From: test@example.org\nSubject: b64\nContent-Transfer-Encoding: base64\n\nbWVzc2FnZSBnb2VzIGhlcmUK\n' >"$w/in"
post
[ "$(tail -1 "$ez/qq.msg")" = "DQp0cmFpbGVyIGlzIHByZXNlbnQNCg==" ] || fail "base64 trailer: $(tail -1 "$ez/qq.msg")"
echo aBcdefGHIJkLmNOpqRSTuvWxYz >"$d/flags"
post
grep -q 'trailer is present' "$ez/qq.msg" && fail "flags T did not switch the trailer off"
rm -f "$d/flags" "$d/addtrailer"

# multipart/mixed: trailer part before the closing boundary; signed: none;
# mimeremove strips text/html from both copies.
touch "$d/addtrailer"
cat >"$w/in" <<'MSG'
From: test@example.org
Subject: mime
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="BOUND";micalg=pgp-md5

--BOUND
Content-Type: text/plain

hello
--BOUND
Content-Type: text/html

<p>hello</p>
--BOUND--
MSG
echo "teXT/hTml" >"$d/mimeremove"
post
grep -qi 'text/html' "$ez/qq.msg" && fail "mimeremove left text/html"
n=$(cut -d: -f1 "$d/num")
grep -qi 'text/html' "$d/archive/0/$(printf %02d "$n")" && fail "mimeremove left text/html in the archive"
tail -6 "$ez/qq.msg" | head -2 | grep -q 'Content-Type: text/plain; charset=' || fail "mixed trailer: $(tail -8 "$ez/qq.msg")"
[ "$(tail -1 "$ez/qq.msg")" = "--BOUND--" ] || fail "closing boundary"
rm "$d/mimeremove"
sed -i 's/multipart\/mixed/multipart\/signed/' "$w/in"
post
grep -q 'trailer is present' "$ez/qq.msg" && fail "trailer added to multipart/signed"
rm "$d/addtrailer"

# 551: rewritefrom and replytolist; listid.
echo '"Test list" <list.example.test>' >"$d/listid"
touch "$d/rewritefrom"
printf 'From: "My Name 1" <test1@example.org>\nSubject: from\n\nx\n' >"$w/in"
post
grep -qx 'From: "My Name 1" via list <list@example.test>' "$ez/qq.msg" || fail "From: $(grep ^From: "$ez/qq.msg")"
[ "$(grep -c '^Reply-To:' "$ez/qq.msg")" = 1 ] || fail "Reply-To count"
grep -qx 'Reply-To: "My Name 1" <test1@example.org>' "$ez/qq.msg" || fail "Reply-To"
grep -qx 'List-ID: "Test list" <list.example.test>' "$ez/qq.msg" || fail "List-ID"
touch "$d/replytolist"
printf 'From: test14@example.org\nCc: cc14@example.org\nSubject: from\n\nx\n' >"$w/in"
post
grep -qx 'Reply-To: <list@example.test>' "$ez/qq.msg" || fail "replytolist"
tr -d '\n' <"$ez/qq.msg" | grep -q 'Cc: cc14@example.org, test14@example.org' || fail "Cc: $(grep -A1 ^Cc: "$ez/qq.msg")"
rm "$d/rewritefrom" "$d/replytolist" "$d/listid"

# A bounce is refused.
SENDER= ; rc=0; ez ezmlm-send "$d" <"$w/in" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "bounce: exit $rc"
echo OK
