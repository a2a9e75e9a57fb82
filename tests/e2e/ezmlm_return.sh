#!/bin/bash
# e2e: ezmlm-return on a list made by hand (ezmlm-idx test 150; reference
# ezmlm.md 5.1) and what it does beyond ezmlm-idx: RFC 3464 and QSBMF
# reports find the failed subscriber, and DMARC-policy or transient
# failures are logged in bounce/Log but never counted.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
ez ezmlm-sub "$d" sub1@example.org sub2@example.org dmarc@example.net slow@example.net
ez ezmlm-sub "$d" digest dig@example.org
fake_qmail_queue

bounce_files() {  # bounce_files WORKDIR — every file below bounce/, sorted
  (cd "$1/bounce" && find . -type f | LC_ALL=C sort)
}

ret() {  # ret DEFAULT [ARGS] < message — expect exit 99
  local def=$1
  shift
  set +e
  SENDER= DEFAULT=$def ez ezmlm-return "$@" "$d" 2>"$w/err"
  local rc=$?
  set -e
  [ $rc = 99 ] || fail "ezmlm-return DEFAULT=$def $*: exit $rc: $(cat "$w/err")"
}

# Usage and environment errors.
DEFAULT=1-x=y expect_exit ezmlm-return 100 "ezmlm-return: fatal: SENDER not set" "$d" </dev/null
SENDER= expect_exit ezmlm-return 100 "ezmlm-return: fatal: DEFAULT not set" "$d" </dev/null
rc=0
"$LETTERSHOP_BIN/ezmlm-return" </dev/null 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "no DIR: exit $rc"

# A QSBMF bounce as qmail-send writes it.
qsbmf() {  # qsbmf ADDRESS TEXT
  cat <<MSG
Return-Path: <>
From: MAILER-DAEMON@mx.example.org
To: list-return-1-$(echo "$1" | sed 's/@/=/')@example.test
Subject: failure notice

Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<$1>:
$2

--- Below this line is a copy of the message.

Return-Path: <list-return-1-@example.test>
Subject: a post
MSG
}

# 150: a VERP bounce for a non-subscriber leaves bounce/ as it was.
before=$(bounce_files "$d")
qsbmf stranger@example.org "Sorry, no mailbox here by that name. (#5.1.1)" >"$w/b"
ret 1-stranger=example.org <"$w/b"
[ "$(bounce_files "$d")" = "$before" ] || fail "a non-subscriber's bounce changed bounce/"

# 150: a subscriber's bounce adds a d file and an h file.
qsbmf sub1@example.org "Sorry, no mailbox here by that name. (#5.1.1)" >"$w/b"
ret 1-sub1=example.org <"$w/b"
dfile=$(cd "$d/bounce" && find d -type f -name 'd*')
[ "$(echo "$dfile" | grep -c .)" = 1 ] || fail "want one d file: $(bounce_files "$d")"
echo "$dfile" | grep -Eq '^d/[0-9]+/d[0-9]+\.[0-9]+$' || fail "d file name: $dfile"
[ "$(head -c 16 "$d/bounce/$dfile" | tr '\0' '|')" = "sub1@example.org" ] || fail "d file address"
[ "$(tr '\0' '\n' <"$d/bounce/$dfile" | sed -n 2p)" = "Return-Path: <>" ] || fail "d file Return-Path"
grep -q '^<sub1@example.org>:$' "$d/bounce/$dfile" || fail "d file lacks the bounce"
hfile=$(cd "$d/bounce" && find h -type f)
echo "$hfile" | grep -Eq '^h/[a-p]/h[a-p]{19}$' || fail "h file name: $hfile"
[ "$(cat "$d/bounce/$hfile")" = "   1" ] || fail "h file: $(cat "$d/bounce/$hfile")"

# A second bounce of the same address only adds its number to h.
ret 2-sub1=example.org <"$w/b"
[ "$(cd "$d/bounce" && find d -type f | wc -l)" = 1 ] || fail "second bounce kept a d file"
[ "$(cat "$d/bounce/$hfile" | tr '\n' ' ')" = "   1    2 " ] || fail "h file: $(cat "$d/bounce/$hfile")"

# Trash and unknown forms: exit 99, nothing written.
before=$(bounce_files "$d")
ret "" <"$w/b"
ret receipt-1-x <"$w/b"
ret garbage <"$w/b"
[ "$(bounce_files "$d")" = "$before" ] || fail "trash changed bounce/"

# A bare N- bounce: the QSBMF report names the subscriber.
qsbmf sub2@example.org "Remote host said: 550 5.1.1 <sub2@example.org>: user unknown" >"$w/b"
ret 3- <"$w/b"
grep -rlq '^<sub2@example.org>:$' "$d/bounce/d" || fail "bare bounce for sub2 not stored"

# RFC 3464: the VERP box is a forwarder's address, the report names the subscriber.
dsn() {  # dsn FINAL ORIGINAL STATUS DIAGNOSTIC [ACTION]
  cat <<MSG
From: MAILER-DAEMON@mx.example.net
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="B0UND"

--B0UND
Content-Type: text/plain

Your message could not be delivered.

--B0UND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; $1
Original-Recipient: rfc822;$2
Action: ${5:-failed}
Status: $3
Diagnostic-Code: smtp; $4

--B0UND
Content-Type: message/rfc822

Subject: a post

--B0UND--
MSG
}
dsn forward@elsewhere.example sub2@example.org 5.1.1 "550 5.1.1 unknown user" >"$w/b"
n_before=$(find "$d/bounce/h" -type f -exec cat {} + | wc -l)
ret 4-forward=elsewhere.example <"$w/b"
n_after=$(find "$d/bounce/h" -type f -exec cat {} + | wc -l)
[ "$n_after" = $((n_before + 1)) ] || fail "forwarded DSN bounce not counted for sub2"

# DMARC rejection: logged, not counted.
before=$(bounce_files "$d")
dsn dmarc@example.net dmarc@example.net 5.7.26 "550 5.7.26 Unauthenticated email from example.test is not accepted due to domain's DMARC policy" >"$w/b"
ret 5-dmarc=example.net <"$w/b"
grep -q 'dmarc@example.net: bounce not counted (policy, status 5.7.26)' "$w/err" || fail "no info line: $(cat "$w/err")"
grep -Eq "^[0-9]+ ~policy dmarc@example.net 5\.7\.26 smtp; 550 5\.7\.26 Unauthenticated email .*DMARC policy$" "$d/bounce/Log" ||
  fail "bounce/Log: $(cat "$d/bounce/Log")"
[ "$(bounce_files "$d" | grep -v '^./Log$')" = "$(echo "$before" | grep -v '^./Log$')" ] || fail "DMARC bounce changed bounce/"
# The same by QSBMF text.
qsbmf dmarc@example.net "Remote host said: 550 5.7.1 Email rejected per DMARC policy for example.test" >"$w/b"
ret 6-dmarc=example.net <"$w/b"
[ "$(grep -c '~policy dmarc@example.net' "$d/bounce/Log")" = 2 ] || fail "QSBMF DMARC not logged"
# Transient (4.x.x) and delayed: logged, not counted.
dsn slow@example.net slow@example.net 4.2.2 "452 4.2.2 mailbox full" >"$w/b"
ret 7-slow=example.net <"$w/b"
grep -q '~transient slow@example.net 4.2.2' "$d/bounce/Log" || fail "transient not logged"
dsn slow@example.net slow@example.net 4.4.7 "delayed" delayed >"$w/b"
ret 8-slow=example.net <"$w/b"
grep -q '~not-failure slow@example.net' "$d/bounce/Log" || fail "delayed not logged"
[ "$(bounce_files "$d" | grep -v '^./Log$')" = "$(echo "$before" | grep -v '^./Log$')" ] || fail "transient bounce changed bounce/"

# 150 digest: -d works in DIR/digest with the digest db.
before=$(bounce_files "$d")
qsbmf dig@example.org "no such user (#5.1.1)" >"$w/b"
ret 9-dig=example.org -d <"$w/b"
[ "$(bounce_files "$d")" = "$before" ] || fail "digest bounce touched the main bounce/"
[ "$(cd "$d/digest/bounce" && find d -type f -name 'd*' | wc -l)" = 1 ] || fail "digest d file missing"
# A main-list subscriber's bounce to the digest bouncer is ignored.
before=$(bounce_files "$d/digest")
ret 9-sub1=example.org -d <"$w/b"
[ "$(bounce_files "$d/digest")" = "$before" ] || fail "non-digest-subscriber counted"

# Forged / malformed warn and probe cookies change nothing.
before=$(bounce_files "$d")
ret "probe-$(date +%s).abcdefghijklmnopabcd-sub1=example.org" <"$w/b"
grep -q 'bad or expired cookie' "$w/err" || fail "forged probe: $(cat "$w/err")"
ret "warn-1.x-sub1=example.org" <"$w/b"
[ "$(bounce_files "$d")" = "$before" ] || fail "forged cookie changed bounce/"
ez ezmlm-list "$d" | grep -qx sub1@example.org || fail "forged probe removed sub1"
[ ! -e "$ez/qq.env" ] || fail "ezmlm-return sent mail"
echo ok
