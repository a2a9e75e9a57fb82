#!/bin/bash
# e2e: ezmlm-get making digests, with a fake qmail-queue (ezmlm-idx test 225;
# reference ezmlm.md 6.2): the dig.CODE trigger and its refusals, the
# command-line and editor contexts, dignum/digissue, the formats and the
# digformat file, "nothing to digest", a failing queue, and a format-m
# digest that Python's email package parses into message/rfc822 parts.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
ez ezmlm-sub "$d" sub@example.org
ez ezmlm-sub "$d" digest dig1@example.org dig2@example.org
printf 'Precedence: bulk\nList-Unsubscribe: <mailto:<#l#>-unsubscribe@<#h#>>\n' >"$d/headeradd"
fake_qmail_queue

n=0
post() {  # post COUNT: COUNT more posts to the list
  local i
  for i in $(seq 1 "$1"); do
    n=$((n + 1))
    printf 'Received: from a by b; 24 Nov 2026 12:00:00 -0000\nFrom: Poster %s <p%s@example.org>\nTo: list@example.test\nSubject: subject %s\nX-Junk: %s\n\nbody of post %s\n' \
      "$n" "$n" "$n" "$n" "$n" >"$w/post"
    SENDER=poster@example.org ez ezmlm-send "$d" <"$w/post" 2>/dev/null || fail "post $n"
  done
  rm -f "$ez/qq.msg" "$ez/qq.env"
}
# dig ACTION [ARGS...]: ezmlm-get from the manager; $rc, $w/err.
dig() {
  local action=$1
  shift
  rm -f "$ez/qq.msg" "$ez/qq.env"
  rc=0
  LOCAL="list-$action" DEFAULT="$action" SENDER=owner@example.org ez ezmlm-get "$d" "$@" </dev/null 2>"$w/err" || rc=$?
}
no_mail() { [ ! -e "$ez/qq.msg" ] || fail "$1: mail was sent"; }
hdr() { sed '/^$/q' "$ez/qq.msg" | grep -i "^$1:" | head -1 | sed "s/^[^:]*: //"; }
rcpts() { tr '\0' '\n' <"$ez/qq.env" | sed -n 's/^T//p' | LC_ALL=C sort | tr '\n' ' '; }

post 3

# No code anywhere, or a wrong one: refused with the text, nothing sent.
dig dig.code
[ $rc = 100 ] || fail "dig without a code: exit $rc"
grep -qx 'ezmlm-get: fatal: incorrect digest code (#5.7.1)' "$w/err" || fail "text: $(cat "$w/err")"
no_mail "no code"; [ ! -e "$d/dignum" ] || fail "dignum written without a code"
dig dig. secret
[ $rc = 100 ] || fail "dig. with empty code: exit $rc"; no_mail "empty code"
for bad in dig.secre dig.secretq dig.other dig-xsecret; do
  dig "$bad" secret
  [ $rc = 100 ] || fail "$bad: exit $rc"; no_mail "$bad"
done
[ ! -e "$d/dignum" ] && [ ! -e "$d/digissue" ] || fail "a refused trigger wrote state"

# The code as argument: a digest to the digest subscribers, exit 99.
dig dig.secret secret
[ $rc = 99 ] || fail "dig.secret: exit $rc: $(cat "$w/err")"
grep -Eq '^ezmlm-get: info: qp [0-9]+$' "$w/err" || fail "no qp line"
[ "$(tr '\0' '\n' <"$ez/qq.env" | head -1)" = "Flist-digest-return-1-@example.test-@[]" ] ||
  fail "digest envelope: $(envelope_text "$ez/qq.env")"
[ "$(rcpts)" = "dig1@example.org dig2@example.org " ] || fail "digest recipients: $(rcpts)"
sed '/^$/q' "$ez/qq.msg" | sed -E 's/^(Date|Message-ID|Content-Type|Subject): .*/\1: X/' >"$w/head"
cat >"$w/want" <<'EOF2'
Precedence: bulk
List-Unsubscribe: <mailto:list-digest-unsubscribe@example.test>
Mailing-List: contact list-digest-help@example.test; run by ezmlm
Date: X
Message-ID: X
From: list-digest-help@example.test
Delivered-To: responder for list-digest@example.test
To: list@example.test
MIME-Version: 1.0
Content-Type: X
Subject: X

EOF2
diff -u "$w/want" "$w/head" || fail "digest header differs"
hdr Subject | grep -Eq '^list Digest [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} -0000 Issue 1$' ||
  fail "Subject: $(hdr Subject)"
grep -q '^Topics (messages 1 through 3)$' "$ez/qq.msg" || fail "no TOC line"
grep -Pq '^\t2 by: Poster 2$' "$ez/qq.msg" || fail "no TOC entry"
grep -q '^Administrivia:$' "$ez/qq.msg" || fail "no Administrivia"
grep -q '^list-digest-unsubscribe@example.test.$' "$ez/qq.msg" || fail "text/digest missing"
[ "$(grep -c '^Content-Type: message/rfc822$' "$ez/qq.msg")" = 3 ] || fail "not three parts"
grep -q '^Content-Disposition: inline; filename="list_3.eml"$' "$ez/qq.msg" || fail "no list_3.eml"
grep -q '^X-Junk' "$ez/qq.msg" && fail "digheaders not applied"
grep -Eq '^3:[0-9]+:[0-9]{9,}$' "$d/dignum" || fail "dignum: $(cat "$d/dignum")"
[ "$(cat "$d/digissue")" = 1:0 ] || fail "digissue: $(cat "$d/digissue")"

# Python's email package sees a multipart/digest of three messages.
/usr/bin/python3 - "$ez/qq.msg" <<'PY' || fail "python could not parse the digest"
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
assert msg.get_content_type() == "multipart/digest", msg.get_content_type()
parts = list(msg.iter_parts())
assert parts[0].get_content_type() == "text/plain"
inner = [p for p in parts if p.get_content_type() == "message/rfc822"]
assert len(inner) == 3, len(inner)
subjects = [p.get_content()["Subject"] for p in inner]
assert subjects == ["subject 1", "subject 2", "subject 3"], subjects
assert inner[0].get_filename() == "list_1.eml"
PY

# Nothing new: "nothing to digest", 99 from the manager, 0 elsewhere, no mail.
dig dig.secret secret
[ $rc = 99 ] || fail "empty digest from the manager: exit $rc"
grep -q 'nothing to digest' "$w/err" || fail "empty digest text: $(cat "$w/err")"
no_mail "empty digest"
rc=0; ez ezmlm-get "$d" 2>"$w/err" || rc=$?
[ $rc = 0 ] || fail "empty digest from the command line: exit $rc"; no_mail "empty command-line digest"

# The code from DIR/digestcode, a format letter after it, digissue 2.
echo secret >"$d/digestcode"
post 2
dig DIG.SECRETr
[ $rc = 99 ] || fail "digestcode file: exit $rc: $(cat "$w/err")"
[ "$(grep -c '^Content-Type:' "$ez/qq.msg")" = 1 ] || fail "dig.coder: not format r"
hdr Subject | grep -q ' Issue 2$' || fail "issue 2: $(hdr Subject)"
[ "$(tr '\0' '\n' <"$ez/qq.env" | head -1)" = "Flist-digest-return-4-@example.test-@[]" ] || fail "second digest envelope"
grep -q '^4:' "$d/dignum" && fail "dignum not advanced"
grep -q '^5:' "$d/dignum" || fail "dignum: $(cat "$d/dignum")"

# 225: a digestcode file of "secrets" or "secre" does not accept dig.secret.
post 1
for file in secrets secre; do
  echo "$file" >"$d/digestcode"
  dig dig.secret
  [ $rc = 100 ] || fail "digestcode $file: exit $rc"; no_mail "digestcode $file"
done
echo secret >"$d/digestcode"

# The command line (no LOCAL) and the editor (LOCAL, no DEFAULT): exit 0.
post 1
rc=0; ez ezmlm-get -fx "$d" 2>"$w/err" || rc=$?
[ $rc = 0 ] || fail "command-line digest: exit $rc: $(cat "$w/err")"
hdr Content-Type | grep -q '^multipart/mixed; boundary=' || fail "-fx: $(hdr Content-Type)"
grep -q "^3:" "$d/digissue" || fail "digissue 3"
post 1
rc=0; LOCAL=list SENDER=poster@example.org ez ezmlm-get "$d" 2>"$w/err" </dev/null || rc=$?
[ $rc = 0 ] || fail "editor digest: exit $rc: $(cat "$w/err")"
grep -q "^4:" "$d/digissue" || fail "digissue 4"
[ "$(grep -c '^Content-Type: message/rfc822$' "$ez/qq.msg")" = 1 ] || fail "editor digest: one message"

# -fv keeps whole messages, -fn has no TOC, digformat r applies by default.
post 1
ez ezmlm-get -fv "$d" 2>/dev/null || fail "-fv"
grep -q "^X-Junk: $n$" "$ez/qq.msg" || fail "-fv dropped headers"
post 1
ez ezmlm-get -fn "$d" 2>/dev/null || fail "-fn"
grep -q '^Topics' "$ez/qq.msg" && fail "-fn has a TOC"
post 1
echo r >"$d/digformat"
ez ezmlm-get "$d" 2>/dev/null || fail "digformat r"
[ "$(grep -c '^Content-Type:' "$ez/qq.msg")" = 1 ] || fail "digformat r: more than one Content-Type"
rm "$d/digformat"

# charset with :Q — the text part quoted-printable, Python decodes it.
post 1
printf 'utf-8:Q\n' >"$d/charset"
ez ezmlm-get "$d" 2>/dev/null || fail "charset :Q digest"
grep -q '^Content-Transfer-Encoding: quoted-printable$' "$ez/qq.msg" || fail "charset :Q: no QP part"
/usr/bin/python3 - "$ez/qq.msg" <<'PY' || fail "charset :Q: python"
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
parts = list(msg.iter_parts())
body = parts[0].get_content()
assert "Administrivia:" in body and "unsubscribe" in body, body
assert [p.get_content_type() for p in parts[1:]] == ["message/rfc822"]
PY
rm "$d/charset"

# A failing qmail-queue: 111, dignum and digissue as they were.
post 2
cp "$d/dignum" "$w/dignum"; cp "$d/digissue" "$w/digissue"
fake_qmail_queue 53
rc=0; ez ezmlm-get "$d" 2>"$w/err" || rc=$?
[ $rc = 111 ] || fail "failing queue: exit $rc"
cmp -s "$d/dignum" "$w/dignum" || fail "failing queue changed dignum"
cmp -s "$d/digissue" "$w/digissue" || fail "failing queue changed digissue"
fake_qmail_queue
ez ezmlm-get "$d" 2>/dev/null || fail "digest after the failure"
[ "$(grep -c '^Content-Type: message/rfc822$' "$ez/qq.msg")" = 2 ] || fail "the retried digest lost messages"

# The manager passes other actions on; list-digest@ is a get (not a digest).
dig subscribe
[ $rc = 0 ] || fail "subscribe: exit $rc"; no_mail subscribe
exit 0
