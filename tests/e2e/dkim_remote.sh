#!/bin/bash
# DKIM with real peers. Keys made by dkimkey (RSA 2048 and Ed25519) sit in
# control/dkim/example.test; their TXT records (and one of a dkimpy-made
# Ed25519 key) are served by dnsmasq on loopback. qmail-remote signs a
# message from example.test to two recipients in one transaction with both
# keys; dkimpy (python3-dkim) verifies both signatures as the SMTP sink
# received them, and fails them once one body byte or the Subject changed.
# Our dkimverify agrees, and verifies messages dkimpy signed (rsa-sha256
# and ed25519-sha256). Mail from a domain without a key goes out unsigned;
# a broken key defers the delivery (Z) rather than send unsigned mail.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
new_instance
w=$dir/w
mkdir -p "$w"
# want RC CMD... - run CMD (stdin and stdout as given), fail unless it exits RC
want() {
  local rc=0 expected=$1
  shift
  "$@" || rc=$?
  [ "$rc" = "$expected" ] || fail "$*: exit $rc, want $expected"
}
dkimpy() { "$PY" "$LETTERSHOP_SRC/tests/e2e/lib/dkimpy_tool.py" "$@"; }
"$PY" -c 'import dkim, nacl, dns.resolver' 2>/dev/null || fail "python3-dkim, python3-nacl or python3-dnspython missing (scripts/deps)"

# dkimkey's zone-file line -> a dnsmasq --txt-record (one string per "...";
# on dnsmasq's command line quotes would be part of the text)
txt_option() {
  local name strings
  name=$(sed -n '1s/\. IN TXT.*//p' "$1")
  strings=$(grep -o '"[^"]*"' "$1" | tr -d '"' | paste -sd, -)
  echo "--txt-record=$name,$strings"
}

"$LETTERSHOP_BIN/dkimkey" example.test r2026 >"$w/rsa.txt" || fail "dkimkey rsa failed"
"$LETTERSHOP_BIN/dkimkey" -t ed25519 example.test e2026 >"$w/ed.txt" || fail "dkimkey ed25519 failed"
key=$QMAILHOME/control/dkim/example.test/r2026.rsa
[ "$(stat -c %a "$key")" = 600 ] || fail "private key mode is $(stat -c %a "$key")"
grep -q '^r2026._domainkey.example.test. IN TXT ( "v=DKIM1; k=rsa; p=' "$w/rsa.txt" || fail "rsa record: $(cat "$w/rsa.txt")"
want 100 "$LETTERSHOP_BIN/dkimkey" example.test r2026 >/dev/null 2>"$w/err"
grep -q "exists; use -f" "$w/err" || fail "dkimkey overwrote a key: $(cat "$w/err")"
dkimpy edkey "$w/py.seed" >"$w/py.txt" || fail "dkimpy could not make a key"

start_sink sink
echo "$sink_port" >"$QMAILHOME/control/remoteport"
start_dns --local=/test/ --host-record=sink.test,127.0.0.1 \
  "$(txt_option "$w/rsa.txt")" "$(txt_option "$w/ed.txt")" \
  "--txt-record=py._domainkey.example.test,$(cat "$w/py.txt")"

cat >"$w/msg" <<'MSG'
From: Joe Sender <joe@example.test>
To: ann@sink.test, bob@sink.test
Subject: signed   and
  folded
Date: Tue, 24 Nov 2026 19:00:00 +0000
Message-ID: <1@example.test>
List-Id: Test list <test.example.test>
MIME-Version: 1.0
Content-Type: text/plain

Hello there.  
.leading dot

MSG

# 1. qmail-remote signs with both keys, once for the whole batch
remote sink.test joe@example.test ann@sink.test bob@sink.test <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "not delivered: $(cat "$w/reports")"
txn=$(sink_files | tail -1)
[ "$(grep -c '^rcpt: ' "$txn")" = 2 ] || fail "not one transaction for both recipients"
[ "$(grep -c '^DKIM-Signature:' "$txn")" = 2 ] || fail "expected two signatures: $(cat "$txn")"
grep -q 'a=rsa-sha256; c=relaxed/relaxed; d=example.test; s=r2026;' "$txn" || fail "no rsa signature"
grep -q 'a=ed25519-sha256; c=relaxed/relaxed; d=example.test; s=e2026;' "$txn" || fail "no ed25519 signature"
if grep -q 'l=' "$txn"; then fail "l= used"; fi
dkimpy verify "$txn" >"$w/py.out" || fail "dkimpy rejects our signatures: $(cat "$w/py.out")"
[ "$(grep -c '^pass' "$w/py.out")" = 2 ] || fail "dkimpy: $(cat "$w/py.out")"
grep -q '^pass a=ed25519-sha256 s=e2026' "$w/py.out" || fail "dkimpy: $(cat "$w/py.out")"

# our own verifier agrees
sed '1,/^$/d' "$txn" >"$w/received"
"$LETTERSHOP_BIN/dkimverify" <"$w/received" >"$w/ours.out" || fail "dkimverify: $(cat "$w/ours.out")"
grep -qx 'dkim=pass header.d=example.test header.s=r2026 header.a=rsa-sha256' "$w/ours.out" || fail "$(cat "$w/ours.out")"
grep -qx 'dkim=pass header.d=example.test header.s=e2026 header.a=ed25519-sha256' "$w/ours.out" || fail "$(cat "$w/ours.out")"

# 2. altered after signing: both verifiers fail every signature
sed 's/Hello there/Hello thEre/' "$txn" >"$w/altered.txn"
want 1 dkimpy verify "$w/altered.txn" >"$w/py.out" 2>"$w/py.err"
[ "$(grep -c '^fail' "$w/py.out")" = 2 ] || fail "dkimpy accepted an altered body: $(cat "$w/py.out")"
sed 's/^Subject: signed/Subject: Signed/' "$w/received" >"$w/altered"
want 100 "$LETTERSHOP_BIN/dkimverify" <"$w/altered" >"$w/ours.out"
[ "$(grep -c '^dkim=fail (signature did not verify)' "$w/ours.out")" = 2 ] || fail "$(cat "$w/ours.out")"
sed 's/Subject: signed/Subject: Signed/' "$txn" >"$w/altered.txn"
want 1 dkimpy verify "$w/altered.txn" >/dev/null 2>&1

# 3. dkimverify checks what dkimpy signed
dkimpy sign r2026 example.test "$key" rsa-sha256 <"$w/msg" >"$w/py-rsa"
dkimpy sign py example.test "$w/py.seed" ed25519-sha256 <"$w/msg" >"$w/py-ed"
"$LETTERSHOP_BIN/dkimverify" <"$w/py-rsa" >"$w/ours.out" || fail "dkimpy rsa: $(cat "$w/ours.out")"
grep -qx 'dkim=pass header.d=example.test header.s=r2026 header.a=rsa-sha256' "$w/ours.out" || fail "$(cat "$w/ours.out")"
"$LETTERSHOP_BIN/dkimverify" <"$w/py-ed" >"$w/ours.out" || fail "dkimpy ed25519: $(cat "$w/ours.out")"
grep -qx 'dkim=pass header.d=example.test header.s=py header.a=ed25519-sha256' "$w/ours.out" || fail "$(cat "$w/ours.out")"
sed 's/leading dot/leading Dot/' "$w/py-ed" | want 100 "$LETTERSHOP_BIN/dkimverify" >"$w/ours.out"
grep -q '^dkim=fail (body hash did not verify)' "$w/ours.out" || fail "$(cat "$w/ours.out")"
want 100 "$LETTERSHOP_BIN/dkimverify" <"$w/msg" >"$w/ours.out"
grep -qx 'dkim=none (no signature)' "$w/ours.out" || fail "$(cat "$w/ours.out")"

# 4. dkimsign (stdin a pipe) signs like qmail-remote, dkimpy verifies
cat "$w/msg" | "$LETTERSHOP_BIN/dkimsign" >"$w/signed" || fail "dkimsign failed"
[ "$(grep -c '^DKIM-Signature:' "$w/signed")" = 2 ] || fail "dkimsign: $(cat "$w/signed")"
dkimpy verify "$w/signed" >"$w/py.out" || fail "dkimpy on dkimsign: $(cat "$w/py.out")"
tail -n "$(wc -l <"$w/msg")" "$w/signed" | cmp -s - "$w/msg" ||
  fail "dkimsign changed the message"
printf 'From: a@other.test\n\nx\n' | want 100 "$LETTERSHOP_BIN/dkimsign" >/dev/null 2>&1

# 5. no key for the From: domain: sent unsigned
printf 'From: a@other.test\nSubject: plain\n\nx\n' >"$w/plain"
remote sink.test a@other.test ann@sink.test <"$w/plain"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "unsigned: $(cat "$w/reports")"
if grep -q '^DKIM-Signature:' "$(sink_files | tail -1)"; then fail "signed without a key"; fi

# 6. a broken key defers instead of sending unsigned mail
n=$(sink_files | wc -l)
echo garbage >"$QMAILHOME/control/dkim/example.test/broken.ed25519"
remote sink.test joe@example.test ann@sink.test <"$w/msg"
grep -q '^ZUnable to sign the message with DKIM: .*broken.ed25519' "$w/reports" || fail "broken key: $(cat "$w/reports")"
[ "$(sink_files | wc -l)" = "$n" ] || fail "sent although the key is broken"
echo ok
