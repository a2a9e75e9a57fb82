#!/bin/bash
# e2e: ezmlm-get answering list-get/-index/-thread from the manager, with a
# fake qmail-queue (ezmlm-idx tests 221-223 and 570; reference ezmlm.md 6.2).
# Checks exact headers and envelopes, the formats, access rules, and the
# bad input of issue 10 (a get range of 1-999999999).
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
touch "$d/public"
ez ezmlm-sub "$d" sub@example.org
ez ezmlm-sub "$d" digest dig@example.org
fake_qmail_queue

export SENDER=poster@example.org
for i in 1 2 3 4 5; do
  printf 'Received: from a by b; 24 Nov 2026 12:00:0%s -0000\nFrom: Poster %s <p%s@example.org>\nTo: list@example.test\nSubject: topic %s\nX-Junk: %s\n\nbody %s\n' \
    "$i" "$i" "$i" $((i % 2)) "$i" "$i" >"$w/post"
  ez ezmlm-send "$d" <"$w/post" 2>/dev/null || fail "post $i"
done
[ "$(cut -d: -f1 "$d/num")" = 5 ] || fail "num: $(cat "$d/num")"

printf 'Delivered-To: sub@example.org\nReceived: by mx; 24 Nov 2026\nFrom: sub@example.org\nSubject: please\n\nline one\nline two\n' >"$w/req"

# get ACTION [SENDER] [ARGS...]: runs ezmlm-get from the manager; $rc, $w/err.
get() {
  local action=$1 sender=${2-sub@example.org}
  shift 2 || shift $#
  rm -f "$ez/qq.msg" "$ez/qq.env"
  rc=0
  LOCAL="list-$action" DEFAULT="$action" SENDER="$sender" ez ezmlm-get "$@" "$d" <"$w/req" 2>"$w/err" || rc=$?
}
no_mail() { [ ! -e "$ez/qq.msg" ] || fail "$1: mail was sent: $(head -20 "$ez/qq.msg")"; }
hdr() { sed '/^$/q' "$ez/qq.msg" | grep -i "^$1:" | head -1 | sed "s/^[^:]*: //"; }

# Not ours: exit 0, no mail.
get subscribe
[ $rc = 0 ] || fail "subscribe: exit $rc"; no_mail subscribe
LOCAL=list- DEFAULT= SENDER=sub@example.org ez ezmlm-get "$d" <"$w/req" || fail "list-: exit $?"
no_mail "list-"

# 221: get.2_3 — exact header set and envelope.
get get.2_3
[ $rc = 99 ] || fail "get: exit $rc: $(cat "$w/err")"
grep -Eq '^ezmlm-get: info: qp [0-9]+$' "$w/err" || fail "no qp line: $(cat "$w/err")"
[ "$(envelope_text "$ez/qq.env")" = "Flist-return-@example.test|Tsub@example.org||" ] ||
  fail "get envelope: $(envelope_text "$ez/qq.env")"
sed '/^$/q' "$ez/qq.msg" | sed -E 's/^(Date|Message-ID|Content-Type): .*/\1: X/' >"$w/head"
cat >"$w/want" <<'EOF2'
To: sub@example.org
Mailing-List: contact list-help@example.test; run by ezmlm
Date: X
Message-ID: X
From: list-help@example.test
Delivered-To: responder for list@example.test
Delivered-To: sub@example.org
Received: by mx; 24 Nov 2026
MIME-Version: 1.0
Content-Type: X
Subject: list Digest of: get.2_3

EOF2
diff -u "$w/want" "$w/head" || fail "get header differs"
hdr Message-ID | grep -Eq '^<[0-9]+\.[0-9]+\.ezmlm@example\.test>$' || fail "Message-ID: $(hdr Message-ID)"
hdr Content-Type | grep -Eq '^multipart/digest; boundary=[a-p]{20}$' || fail "Content-Type: $(hdr Content-Type)"
grep -c '^Content-Type: message/rfc822$' "$ez/qq.msg" | grep -qx 2 || fail "get.2_3: not two messages"
grep -q 'filename="list_2.eml"' "$ez/qq.msg" || fail "no list_2.eml part"
grep -q '^X-Junk' "$ez/qq.msg" && fail "format m kept a header outside digheaders"
grep -q '^Return-Path: <sub@example.org>$' "$ez/qq.msg" || fail "request copy missing"
grep -q 'line one' "$ez/qq.msg" && fail "copylines 0 copied body lines"
grep -q -- '--- Commands for the list list ---' "$ez/qq.msg" || fail "text/bottom missing"

# 519: copylines 1 copies one body line of the request.
echo 1 >"$d/copylines"
get get.1
grep -q '^line one$' "$ez/qq.msg" || fail "copylines 1"
grep -q '^line two$' "$ez/qq.msg" && fail "copylines 1 copied two lines"
rm "$d/copylines"

# Formats r n v x.
get getr.1_5
[ $rc = 99 ] || fail "getr: exit $rc"
[ "$(grep -c '^Content-Type:' "$ez/qq.msg")" = 1 ] || fail "format r: more than one Content-Type"
grep -q '^End of list Digest$' "$ez/qq.msg" || fail "format r: no end line"
get getv.1_2
grep -q '^X-Junk: 1$' "$ez/qq.msg" || fail "format v dropped headers"
get getn.1_3
grep -q '^Topics' "$ez/qq.msg" && fail "format n has a TOC"
[ "$(grep -o 'filename="list_[0-9].eml"' "$ez/qq.msg" | tr -d '\n')" = 'filename="list_1.eml"filename="list_2.eml"filename="list_3.eml"' ] ||
  fail "format n not in number order"
get getx.1_2
hdr Content-Type | grep -q '^multipart/mixed; boundary=' || fail "format x: $(hdr Content-Type)"
echo r >"$d/digformat"
get get.1
[ "$(grep -c '^Content-Type:' "$ez/qq.msg")" = 1 ] || fail "digformat r ignored"
rm "$d/digformat"

# Bad input: a range of 1-999999999 is clamped to the archive (and to 100).
get get.1-999999999
[ $rc = 99 ] || fail "get.1-999999999: exit $rc: $(cat "$w/err")"
[ "$(grep -c '^Content-Type: message/rfc822$' "$ez/qq.msg")" = 5 ] || fail "get.1-999999999: not five messages"
get get.99999999999999999999999_999999999999999999999999
[ $rc = 99 ] || fail "huge numbers: exit $rc"

# index and thread.
get index
[ $rc = 99 ] || fail "index: exit $rc"
hdr Subject | grep -qx 'list Result of: index' || fail "index subject: $(hdr Subject)"
grep -q '^3: topic 1$' "$ez/qq.msg" || fail "index line: $(grep '^3' "$ez/qq.msg")"
grep -Pq '^\t24 Nov 2026 Poster 3$' "$ez/qq.msg" || fail "index author line"
sed '/^$/q' "$ez/qq.msg" | grep -A1 '^Received: by mx' | tail -1 | grep -qx 'To: sub@example.org' || fail "index: To after the trace lines"
get thread.3
[ $rc = 99 ] || fail "thread: exit $rc"
[ "$(grep -o 'filename="list_[0-9].eml"' "$ez/qq.msg" | tr -d '\n')" = 'filename="list_1.eml"filename="list_3.eml"filename="list_5.eml"' ] ||
  fail "thread.3: $(grep -o 'list_[0-9].eml' "$ez/qq.msg" | tr '\n' ' ')"
get thread.99
[ $rc = 99 ] || fail "thread.99: exit $rc"
grep -q 'I could not find that message' "$ez/qq.msg" || fail "thread.99 without get-bad"

# charset with :B — a base64 text part, the request as a message/rfc822 part.
echo 'iso-8859-1:B' >"$d/charset"
get get.1_2
[ $rc = 99 ] || fail "charset :B: exit $rc"
grep -q '^Content-Transfer-Encoding: base64$' "$ez/qq.msg" || fail "charset :B: no base64 part"
grep -q '^Content-Disposition: inline; filename=request.msg$' "$ez/qq.msg" || fail "charset :B: no request part"
/usr/bin/python3 - "$ez/qq.msg" <<'PY' || fail "charset :B: python: $(cat "$ez/qq.msg")"
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
parts = list(msg.iter_parts())
text = parts[0]
assert text.get_content_type() == "text/plain" and text.get_content_charset() == "iso-8859-1"
body = text.get_content()
assert "Commands for the list list" in body and "\t1 by: Poster 1" in body, body
assert parts[1].get_content_type() == "message/rfc822"
assert parts[1].get_content()["Subject"] == "please"
assert [p.get_content_type() for p in parts[2:]] == ["message/rfc822"] * 2
PY
rm "$d/charset"

# 570: omitbottom (and -B) drop text/bottom and the request copy.
touch "$d/omitbottom"
get get.1
grep -q 'Commands for the list' "$ez/qq.msg" && fail "omitbottom ignored"
grep -q '^Return-Path: <sub@example.org>$' "$ez/qq.msg" && fail "omitbottom kept the request copy"
rm "$d/omitbottom"
get get.1 sub@example.org -B
grep -q 'Commands for the list' "$ez/qq.msg" && fail "-B ignored"

# -s / subgetonly: only subscribers of the list, digest or allow dbs.
get get.1 stranger@example.org -s
[ $rc = 100 ] || fail "-s stranger: exit $rc"
grep -q 'ezmlm-get: fatal: only subscribers may do this' "$w/err" || fail "-s text: $(cat "$w/err")"
no_mail "-s stranger"
get get.1 dig@example.org -s
[ $rc = 99 ] || fail "-s digest subscriber: exit $rc"
touch "$d/subgetonly"
get index stranger@example.org
[ $rc = 100 ] || fail "subgetonly stranger: exit $rc"; no_mail subgetonly
get index stranger@example.org -S
[ $rc = 99 ] || fail "-S overrides subgetonly: exit $rc"
rm "$d/subgetonly"

# A non-public list answers only moderators of a remote-administered list.
rm "$d/public"
get get.1
[ $rc = 100 ] || fail "non-public: exit $rc"
grep -q 'does not take requests from the public' "$w/err" || fail "non-public text"; no_mail non-public
touch "$d/remote"
ez ezmlm-sub "$d" mod mod@example.org
get get.1 mod@example.org
[ $rc = 99 ] || fail "moderator of a remote list: exit $rc: $(cat "$w/err")"
get get.1 sub@example.org -p
[ $rc = 99 ] || fail "-p: exit $rc"
touch "$d/public" "$d/modgetonly"
get get.1
[ $rc = 100 ] || fail "modgetonly: exit $rc"
rm "$d/modgetonly"
get get.1 sub@example.org -P
[ $rc = 100 ] || fail "-P: exit $rc"
get get.1 sub@example.org -C
[ $rc = 100 ] || fail "-C: exit $rc"; no_mail "-C"

# Loops and bounces: refused, nothing sent.
{ echo "Delivered-To: responder for list@example.test"; cat "$w/req"; } >"$w/req2"
rc=0; LOCAL=list-get.1 DEFAULT=get.1 SENDER=sub@example.org ez ezmlm-get "$d" <"$w/req2" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "own Delivered-To: exit $rc"; no_mail loop
get get.1 ""
[ $rc = 100 ] || fail "bounce sender: exit $rc"; no_mail bounce
get get.1 nobody
[ $rc = 100 ] || fail "sender without @: exit $rc"; no_mail anonymous
get get.1 $'sub@example.org\nX-Evil: yes'
[ $rc = 100 ] || fail "sender with a line break: exit $rc"; no_mail "line break"
get $'get.1\x01x'
[ $rc = 99 ] || fail "control character in the action: exit $rc"
hdr Subject | grep -qx 'list Digest of: get.1?x' || fail "control character reached the Subject: $(hdr Subject | od -c | head -2)"

# Not archived: 100.
rm "$d/archived"
get get.1
[ $rc = 100 ] || fail "not archived: exit $rc"
grep -q 'not archived' "$w/err" || fail "not archived text: $(cat "$w/err")"
touch "$d/archived"

# A failing qmail-queue: 111.
fake_qmail_queue 53
get get.1
[ $rc = 111 ] || fail "failing queue: exit $rc"
exit 0
