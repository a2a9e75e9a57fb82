#!/bin/bash
# qmail-popup's and qmail-pop3d's replies, byte for byte, and the input
# that must not hurt: a NUL byte, an over-long line, a silent client, a
# connection dropped after DELE. The TRANSACTION commands are sent in one
# packet with USER and PASS (pipelining), which also exercises qmail-popup's
# relay without TLS.
. "$LETTERSHOP_SRC/tests/e2e/lib/pop.sh"
virtual_instance
bob1=$(virtual_user domain1.com bob)
set_password domain1.com bob one-secret
md=$bob1/Maildir
mkdir -p "$md/tmp" "$md/new" "$md/cur"
printf 'Subject: one\n\nline 1\nline 2\n' >"$md/new/100.A.host"
printf 'Subject: two\r\n\r\n.dot\r\nno newline' >"$md/cur/90.B.host:2,S"
touch -d '2020-01-01' "$md/cur/90.B.host:2,S"
[ "$(id -u)" != 0 ] || chown -R "$vuid:$vgid" "$md"
snapshot() { (cd "$md" && find . -type f | sort) ; }
before=$(snapshot)
start_pop POP3TIMEOUT=2

# Before authentication.
out=$(printf 'NOOP\r\nSTAT\r\nPASS x\r\nUSER\r\nUSER a\0b\r\n%05000d\r\nNOOP\r\nQUIT\r\n' 0 | pop raw "$pop_port")
expect_text <(sed 1d <<<"$out") "replies before login" <<'EOF2'
+OK 
-ERR authorization first
-ERR USER first
-ERR syntax error
-ERR syntax error
-ERR line too long
+OK 
+OK 
EOF2
grep -Eqx '\+OK <[0-9]+\.[0-9]+@pop\.test>' <<<"$(sed -n 1p <<<"$out")" || fail "greeting: $(sed -n 1p <<<"$out")"

# APOP cannot work with hashed passwords: refused like a wrong password.
out=$(printf 'APOP bob@domain1.com c4c9334bac560ecc979e58001b3e22fb\r\n' | pop raw "$pop_port")
[ "$(sed -n 2p <<<"$out")" = "-ERR authorization failed" ] || fail "APOP: $out"

# Usage errors, and qmail-pop3d never serves as root.
w=$dir/w
mkdir -p "$w"
expect_exit qmail-popup 1 '' pop.test </dev/null
[ "$(cat "$w/out")" = $'-ERR usage: qmail-popup hostname subprogram\r' ] || fail "qmail-popup usage: $(cat "$w/out")"
if [ "$(id -u)" = 0 ]; then
  expect_exit qmail-pop3d 1 '' "$md" </dev/null
  [ "$(cat "$w/out")" = $'-ERR refusing to run as root\r' ] || fail "qmail-pop3d as root: $(cat "$w/out")"
fi

# A silent client gets -ERR timeout and the connection closes.
start=$(date +%s)
out=$(pop raw "$pop_port" 6 </dev/null)
[ "$(sed -n 2p <<<"$out")" = "-ERR timeout" ] || fail "no timeout reply: $out"
[ $(($(date +%s) - start)) -lt 4 ] || fail "the timeout took too long"

# The transaction, pipelined after PASS.
out=$(printf 'USER bob@domain1.com\r\nPASS one-secret\r\nSTAT\r\nLIST\r\nUIDL 2\r\nTOP 1 0\r\nRETR 2\r\nLAST\r\nDELE 1\r\nDELE 1\r\nRETR 0\r\nRETR 3\r\nRETR x\r\nSTAT\r\nRSET\r\nLAST\r\nXYZZY\r\nDELE 2\r\nQUIT\r\n' | pop raw "$pop_port")
expect_text <(sed 1d <<<"$out") "transaction replies" <<'EOF2'
+OK 
+OK 
+OK 2 60
+OK 
1 32
2 28
.
+OK 2 100.A.host
+OK 
Subject: two

.
+OK 
Subject: one

line 1
line 2
.
+OK 2
+OK 
-ERR already deleted
-ERR messages are counted from 1
-ERR not that many messages
-ERR syntax error
+OK 1 28
+OK 
+OK 0
-ERR unimplemented
+OK 
+OK 
EOF2
[ -f "$md/cur/90.B.host:2,S" ] || fail "message 1 (not deleted after RSET) is gone: $(snapshot)"
[ ! -e "$md/new/100.A.host" ] && [ ! -e "$md/cur/100.A.host:2," ] || fail "message 2 not deleted: $(snapshot)"

# A connection dropped after DELE deletes nothing.
before=$(snapshot)
out=$(pop drop "$pop_port" bob@domain1.com one-secret) || fail "drop: $out"
sleep 0.5
[ "$(snapshot)" = "$before" ] || fail "a dropped session changed the Maildir: $(snapshot)"
echo ok
