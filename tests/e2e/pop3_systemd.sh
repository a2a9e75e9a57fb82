#!/bin/bash
# qmail-popup under systemd socket activation (systemd-socket-activate
# --inetd --accept: what qmail-pop3d.socket with Accept=yes does, the
# connection on fd 0 and 1), and a 3 MB message retrieved over STLS, which
# pushes many TLS records through qmail-popup's relay in both directions.
. "$LETTERSHOP_SRC/tests/e2e/lib/pop.sh"
command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is missing (package systemd)"
virtual_instance
bob1=$(virtual_user domain1.com bob)
set_password domain1.com bob one-secret
md=$bob1/Maildir
mkdir -p "$md/tmp" "$md/new" "$md/cur"
printf 'Subject: small\n\nhello\n' >"$md/new/100.A.host"
"$PY" -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("Subject: big\n\n")
    for i in range(60000):
        f.write(("." if i % 7 == 0 else "") + "line %06d " % i + "x" * 38 + "\n")
' "$md/new/101.B.host"
touch -d '2020-01-01' "$md/new/100.A.host"
[ "$(id -u)" != 0 ] || chown -R "$vuid:$vgid" "$md"
cp "$md/new/101.B.host" "$dir/big.want"
make_cert pop.test
cat "$dir/pop.test.pem" "$dir/pop.test.key" >"$dir/control/servercert.pem"
start_pop_systemd
w=$dir/w
mkdir -p "$w/plain" "$w/tls"

out=$(pop fetch "$pop_port" bob@domain1.com one-secret "$w/plain") || fail "plain fetch: $out; $(cat "$dir/pop.err")"
[ "$out" = "fetched 2" ] || fail "plain: $out"
out=$(pop fetch "$pop_port" bob@domain1.com wrong "$w/plain") && fail "wrong password accepted"
[ "$out" = "refused: -ERR authorization failed" ] || fail "wrong password: $out"
out=$(pop fetch "$pop_port" bob@domain1.com one-secret "$w/tls" --stls "$dir/pop.test.pem" --dele 2>&1) ||
  fail "STLS fetch: $out; $(cat "$dir/pop.err")"
[ "$out" = "fetched 2" ] || fail "STLS: $out"
cmp -s "$dir/big.want" "$w/tls/101.B.host" || fail "the 3 MB message changed over STLS"
cmp -s "$dir/big.want" "$w/plain/101.B.host" || fail "the 3 MB message changed in plaintext"
[ -z "$(find "$md/new" "$md/cur" -type f)" ] || fail "DELE over STLS did not delete: $(find "$md" -type f)"
echo ok
