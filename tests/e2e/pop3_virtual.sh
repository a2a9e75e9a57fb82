#!/bin/bash
# POP3 for virtual users: bob@domain1.com and bob@domain2.com each read only
# their own Maildir through qmail-popup -> vcheckpassword -> qmail-pop3d
# under tcpserver, with Python's poplib; bad logins lose and grant nothing.
#
# Mail is delivered the real way (qmail-send, virtmailfilter). Then: wrong
# password, unknown user, a login with '../' and one without a domain are
# refused with qmail-popup's "-ERR authorization failed" and leave both
# Maildirs as they were; bob1 fetches without deleting (his messages move
# from new/ to cur/ with ":2,", UIDs unchanged), bob2 fetches and deletes
# (his Maildir is empty after QUIT).
. "$LETTERSHOP_SRC/tests/e2e/lib/pop.sh"
virtual_instance
bob1=$(virtual_user domain1.com bob)
bob2=$(virtual_user domain2.com bob)
set_password domain1.com bob one-secret
set_password domain2.com bob two-secret
start_mta ./Mailbox
printf 'Subject: for bob one\n\n.a line with a dot\nbody one\n' | inject joe@example.test bob@domain1.com
printf 'Subject: second for bob one\n\nbody one b\n' | inject joe@example.test bob@domain1.com
printf 'Subject: for bob two\n\nbody two\n' | inject joe@example.test bob@domain2.com
wait_queue_empty
stop_mta
[ "$(maildir_files "$bob1/Maildir" | wc -l)" = 2 ] || fail "bob1 should have 2 new messages"
[ "$(maildir_files "$bob2/Maildir" | wc -l)" = 1 ] || fail "bob2 should have 1 new message"
snapshot() { (cd "$prefix" && find . -path '*/Maildir/*' -type f | sort); }
before=$(snapshot)

start_pop
w=$dir/w
mkdir -p "$w/out1" "$w/out2" "$w/bad"

# Logins that must fail: each costs the delay, none sees or changes anything.
for login in 'bob@domain1.com:two-secret' 'carol@domain1.com:one-secret' \
  '../domain1.com/bob@domain1.com:one-secret' 'bob@../domain1.com:one-secret' \
  'bob:one-secret' 'bob@domain1.com:'; do
  out=$(pop fetch "$pop_port" "${login%%:*}" "${login#*:}" "$w/bad") && fail "login $login was accepted: $out"
  case $out in
    "refused: -ERR authorization failed" | "refused: -ERR syntax error") ;;
    *) fail "login $login: $out" ;;
  esac
done
[ -z "$(ls "$w/bad")" ] || fail "a refused login fetched: $(ls "$w/bad")"
[ "$(snapshot)" = "$before" ] || fail "a refused login changed a Maildir: $(snapshot)"

# bob@domain1.com reads his two messages and keeps them.
out=$(pop fetch "$pop_port" bob@domain1.com one-secret "$w/out1") || fail "bob1 fetch: $out; $(cat "$dir/pop.err")"
[ "$out" = "fetched 2" ] || fail "bob1: $out"
grep -lq '^Subject: for bob one$' "$w"/out1/* || fail "bob1 did not get his first message"
grep -q '^Subject: for bob two$' "$w"/out1/* && fail "bob1 got bob2's message"
grep -qx '.a line with a dot' "$w"/out1/* || fail "dot-stuffing lost the leading dot"
[ -z "$(maildir_files "$bob1/Maildir")" ] || fail "bob1's new/ not emptied at QUIT"
for u in $(ls "$w/out1"); do
  [ -f "$bob1/Maildir/cur/$u:2," ] || fail "bob1's $u not moved to cur/$u:2,: $(ls "$bob1/Maildir/cur")"
  cmp -s "$bob1/Maildir/cur/$u:2," "$w/out1/$u" || fail "message $u changed on the way"
done

# bob@domain2.com reads his one message and deletes it.
out=$(pop fetch "$pop_port" BOB@Domain2.com two-secret "$w/out2" --dele) || fail "bob2 fetch: $out"
[ "$out" = "fetched 1" ] || fail "bob2: $out"
grep -q '^Subject: for bob two$' "$w"/out2/* || fail "bob2 did not get his message"
[ -z "$(find "$bob2/Maildir/new" "$bob2/Maildir/cur" -type f)" ] || fail "bob2's message was not deleted"
[ "$(find "$bob1/Maildir/cur" -type f | wc -l)" = 2 ] || fail "bob2's session touched bob1's Maildir"
echo ok
