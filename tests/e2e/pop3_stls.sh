#!/bin/bash
# STLS (RFC 2595): with control/servercert.pem, qmail-popup offers STLS in
# CAPA, poplib upgrades the connection (verifying our self-signed
# certificate) and the whole session — login, RETR, DELE, QUIT — runs over
# TLS through qmail-popup's relay to vcheckpassword and qmail-pop3d. After
# STLS, CAPA no longer offers it and a second STLS is refused; commands sent
# before the handshake in the same packet are not executed inside TLS.
. "$LETTERSHOP_SRC/tests/e2e/lib/pop.sh"
virtual_instance
bob1=$(virtual_user domain1.com bob)
set_password domain1.com bob one-secret
mkdir -p "$bob1/Maildir/tmp" "$bob1/Maildir/new" "$bob1/Maildir/cur"
printf 'Subject: secret one\n\nbody\n' >"$bob1/Maildir/new/100.M1P1.host"
printf 'Subject: secret two\n\nbody\n' >"$bob1/Maildir/new/101.M1P1.host"
touch -d '2020-01-01' "$bob1/Maildir/new/100.M1P1.host"
[ "$(id -u)" != 0 ] || chown -R "$vuid:$vgid" "$bob1/Maildir"
make_cert pop.test
cat "$dir/pop.test.pem" "$dir/pop.test.key" >"$dir/control/servercert.pem"
start_pop
w=$dir/w
mkdir -p "$w/out"

capa=$(printf 'CAPA\r\nQUIT\r\n' | pop raw "$pop_port")
grep -qx 'STLS' <<<"$capa" || fail "CAPA does not offer STLS: $capa"

out=$(pop fetch "$pop_port" bob@domain1.com one-secret "$w/out" --stls "$dir/pop.test.pem" --dele) ||
  fail "fetch over STLS: $out; $(cat "$dir/pop.err")"
[ "$out" = "fetched 2" ] || fail "over STLS: $out"
[ -f "$w/out/100.M1P1.host" ] && [ -f "$w/out/101.M1P1.host" ] || fail "UIDLs: $(ls "$w/out")"
grep -q '^Subject: secret one$' "$w/out/100.M1P1.host" || fail "wrong message 1: $(cat "$w/out/100.M1P1.host")"
[ -z "$(find "$bob1/Maildir/new" "$bob1/Maildir/cur" -type f)" ] || fail "DELE over TLS did not delete"

# The same wrong password over TLS is refused by the relay's reply.
out=$(pop fetch "$pop_port" bob@domain1.com wrong "$w/out" --stls "$dir/pop.test.pem") && fail "wrong password accepted over TLS"
[ "$out" = "refused: -ERR authorization failed" ] || fail "wrong password over TLS: $out"

# After STLS: no STLS in CAPA, a second STLS refused (openssl s_client).
after=$( (printf 'CAPA\r\n'; sleep 0.5; printf 'STLS\r\n'; sleep 0.5; printf 'QUIT\r\n') |
  openssl s_client -quiet -starttls pop3 -connect "127.0.0.1:$pop_port" 2>/dev/null | tr -d '\r')
grep -qx 'UIDL' <<<"$after" || fail "no CAPA answer over TLS: $after"
grep -qx 'STLS' <<<"$after" && fail "STLS offered again inside TLS: $after"
grep -qx -- '-ERR TLS already active' <<<"$after" || fail "second STLS not refused: $after"

# Plaintext injected after STLS in one packet is discarded, not run in TLS.
inj=$(printf 'STLS\r\nNOOP\r\n' | pop raw "$pop_port")
grep -q '^+OK begin TLS negotiation' <<<"$inj" || fail "STLS not answered: $inj"
[ "$(grep -c '^+OK' <<<"$inj")" = 2 ] || fail "the injected NOOP was answered: $inj"
echo ok
