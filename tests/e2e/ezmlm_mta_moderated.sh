#!/bin/bash
# A moderated list through the real mail system (issue 10): a stranger's
# post to team@example.test reaches the moderator's Maildir as a MODERATE
# request; the moderator answers the accept address taken from that mail;
# the post then reaches every subscriber's Maildir, once.
#
# As in ezmlm_mta_post.sh the list's dot-qmail links live in ~owner
# (users/assign maps team and team-* to owner); qmail-local runs the editor
# (ezmlm-reject, ezmlm-checksub, ezmlm-store) and, for team-accept-*, the
# moderator file (ezmlm-weed, ezmlm-moderate, which finds its action in
# LOCAL because DEFAULT holds only T.PID.HASH there).
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
need_programs ezmlm-make ezmlm-reject ezmlm-checksub ezmlm-store ezmlm-moderate ezmlm-send ezmlm-sub ezmlm-weed ezmlm-clean
mta_instance
ezmlm_env "$dir"
list_users alice bob carol modr

l=$o/team
ez ezmlm-make -m -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$l" "$o/.qmail-team" team example.test || fail "ezmlm-make failed"
chmod 0755 "$o"
[ -f "$l/modpost" ] || fail "no modpost"
for u in alice bob carol; do ez ezmlm-sub "$l" "$u@example.test" || fail "ezmlm-sub $u failed"; done
ez ezmlm-sub "$l" mod modr@example.test || fail "ezmlm-sub mod failed"
start_mta ./Mailbox

count() { ls "$(home "$1")/Maildir/new" | wc -l; }

# 1. The stranger's post waits; the moderator gets the request.
printf 'From: mallory@example.org\nTo: team@example.test\nSubject: worth reading\n\nmoderated body\n' |
  inject mallory@example.org team@example.test
wait_queue_empty 30
[ "$(count modr)" = 1 ] || fail "moderator has $(count modr) messages; log: $(cat "$mta_log")"
for u in alice bob carol; do [ "$(count "$u")" = 0 ] || fail "$u got the post before it was accepted"; done
[ "$(ls "$l/mod/pending" | wc -l)" = 1 ] || fail "nothing pending: $(ls -la "$l/mod/pending")"
req=$(home modr)/Maildir/new/$(ls "$(home modr)/Maildir/new")
grep -qx 'Subject: MODERATE for team@example.test' "$req" || fail "request subject: $(grep '^Subject' "$req")"
grep -q '^Return-Path: <team-return-@example.test>' "$req" || fail "request envelope: $(grep Return-Path "$req")"
accept=$(sed -n 's/^Reply-To: \(team-accept-[0-9]*\.[0-9]*\.[a-p]*@example.test\)$/\1/p' "$req")
[ -n "$accept" ] || fail "no accept address in: $(cat "$req")"
grep -qx "   $accept" "$req" || fail "accept address not in the text"
grep -qx 'moderated body' "$req" || fail "request lacks the post"

# 2. The moderator replies to the accept address (quoting the request, as a
#    mail client does); the post goes to every subscriber.
{
  printf 'From: modr@example.test\nTo: %s\nSubject: Re: MODERATE for team@example.test\n\n' "$accept"
  sed '1,/^$/d; s/^/> /' "$req"
} | inject modr@example.test "$accept"
wait_queue_empty 30
for u in alice bob carol; do
  [ "$(count "$u")" = 1 ] || fail "$u has $(count "$u") messages; log: $(cat "$mta_log")"
  m=$(home "$u")/Maildir/new/$(ls "$(home "$u")/Maildir/new")
  grep -qx 'Subject: worth reading' "$m" || fail "$u: subject: $(grep '^Subject' "$m")"
  grep -qx 'moderated body' "$m" || fail "$u: body missing"
  grep -qx 'Delivered-To: mailing list team@example.test' "$m" || fail "$u: not a list post"
  grep -q "^Return-Path: <team-return-1-$u=example.test@example.test>" "$m" || fail "$u: VERP: $(grep Return-Path "$m")"
done
[ -z "$(ls "$l/mod/pending")" ] || fail "still pending: $(ls "$l/mod/pending")"
[ "$(ls "$l/mod/accepted" | wc -l)" = 1 ] || fail "no accepted stub"
head -1 "$l/archive/0/01" | grep -qx 'Return-Path: <mallory@example.org>' || fail "archived sender: $(head -1 "$l/archive/0/01")"

# 3. The same accept again: nothing more reaches anyone.
printf 'From: modr@example.test\nTo: %s\nSubject: again\n\nagain\n' "$accept" | inject modr@example.test "$accept"
wait_queue_empty 30
for u in alice bob carol; do [ "$(count "$u")" = 1 ] || fail "$u got the post twice"; done
grep -Eq 'delivery [0-9]+: (failure|deferral): ' "$mta_log" && fail "a delivery failed: $(cat "$mta_log")"
stop_mta
echo ok
