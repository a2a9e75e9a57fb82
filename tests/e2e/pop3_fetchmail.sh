#!/bin/bash
# fetchmail (a real POP3 client) against qmail-popup -> vcheckpassword ->
# qmail-pop3d: bob@domain1.com in plaintext keeping his mail (--keep),
# bob@domain2.com over STLS with certificate checking, deleting his. Each
# gets exactly his own messages (written as batched SMTP with --bsmtp); a
# wrong password fetches nothing and changes nothing.
. "$LETTERSHOP_SRC/tests/e2e/lib/pop.sh"
command -v fetchmail >/dev/null || fail "fetchmail is not installed (scripts/deps)"
virtual_instance
bob1=$(virtual_user domain1.com bob)
bob2=$(virtual_user domain2.com bob)
set_password domain1.com bob one-secret
set_password domain2.com bob two-secret
for b in "$bob1" "$bob2"; do mkdir -p "$b/Maildir/tmp" "$b/Maildir/new" "$b/Maildir/cur"; done
printf 'Subject: for bob one\n\nbody one\n' >"$bob1/Maildir/new/100.M1.host"
printf 'Subject: for bob two\n\nbody two\n' >"$bob2/Maildir/new/100.M1.host"
printf 'Subject: again bob two\n\nbody two b\n' >"$bob2/Maildir/new/101.M1.host"
[ "$(id -u)" != 0 ] || chown -R "$vuid:$vgid" "$bob1/Maildir" "$bob2/Maildir"
make_cert pop.test
cat "$dir/pop.test.pem" "$dir/pop.test.key" >"$dir/control/servercert.pem"
start_pop
w=$dir/w
export FETCHMAILHOME=$w/fmhome
mkdir -p "$FETCHMAILHOME" && chmod 0700 "$FETCHMAILHOME"

# fm NAME USER PASSWORD [OPTIONS...] - one fetchmail run; output in $w/NAME.*
fm() {
  local name=$1 user=$2 pass=$3
  shift 3
  printf 'poll 127.0.0.1 protocol POP3 port %s user "%s" password "%s"\n' "$pop_port" "$user" "$pass" >"$w/$name.rc"
  chmod 0600 "$w/$name.rc"
  fetchmail -f "$w/$name.rc" --nosyslog --bsmtp "$w/$name.bsmtp" "$@" >"$w/$name.out" 2>&1
}

fm wrong bob@domain1.com two-secret --sslproto '' && fail "fetchmail with a wrong password succeeded"
[ ! -s "$w/wrong.bsmtp" ] || fail "a wrong password fetched: $(cat "$w/wrong.bsmtp")"
[ -f "$bob1/Maildir/new/100.M1.host" ] || fail "a wrong password changed bob1's Maildir"

fm one bob@domain1.com one-secret --sslproto '' --keep || fail "fetchmail bob1: $(cat "$w/one.out")"
grep -q '^Subject: for bob one' "$w/one.bsmtp" || fail "bob1 did not get his mail: $(cat "$w/one.bsmtp")"
grep -q 'bob two' "$w/one.bsmtp" && fail "bob1 got bob2's mail"
[ -f "$bob1/Maildir/cur/100.M1.host:2," ] || fail "bob1's kept message not in cur/: $(find "$bob1/Maildir" -type f)"

fm two bob@domain2.com two-secret --sslproto 'TLS1.2+' --sslcertck --sslcommonname pop.test --sslcertfile "$dir/pop.test.pem" \
  --sslcertpath "$w/fmhome" || fail "fetchmail bob2 over STLS: $(cat "$w/two.out")"
[ "$(grep -c '^Subject: .*bob two' "$w/two.bsmtp")" = 2 ] || fail "bob2 did not get both: $(cat "$w/two.bsmtp")"
grep -q 'bob one' "$w/two.bsmtp" && fail "bob2 got bob1's mail"
[ -z "$(find "$bob2/Maildir/new" "$bob2/Maildir/cur" -type f)" ] || fail "bob2's messages were not deleted"
[ -f "$bob1/Maildir/cur/100.M1.host:2," ] || fail "bob2's session touched bob1's Maildir"
echo ok
