#!/bin/bash
# A post to team@example.test reaches the three subscribers through the real
# mail system; a non-subscriber's post to a -u list is refused.
#
# The list's dot-qmail links live in ~owner (users/assign maps team and
# team-* to owner with ext "team"), made by ezmlm-make with the standard
# template (-C the source en_US folder, so that the programs find the texts
# through DIR/ezmlmrc under qmail-start's clean environment). qmail-local
# runs the editor: ezmlm-reject, ezmlm-checksub, ezmlm-store (which execs
# ezmlm-send), then ezmlm-clean and ezmlm-warn, which do not exist yet: their
# "|| exit 0" guards keep the delivery a success.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
need_programs ezmlm-reject ezmlm-checksub ezmlm-send ezmlm-sub
mta_instance
ezmlm_env "$dir"
list_users alice bob carol

l=$o/team
ez ezmlm-make -f -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$l" "$o/.qmail-team" team example.test || fail "ezmlm-make failed"
chmod 0755 "$o"
for u in alice bob carol; do ez ezmlm-sub "$l" "$u@example.test" || fail "ezmlm-sub $u failed"; done
start_mta ./Mailbox

printf 'From: alice@example.test\nTo: team@example.test\nSubject: hello team\n\nfirst post\n' |
  inject alice@example.test team@example.test
wait_queue_empty 30
for u in alice bob carol; do
  box=$(home "$u")/Maildir/new
  n=$(ls "$box" | wc -l)
  [ "$n" = 1 ] || fail "$u has $n messages; log: $(cat "$mta_log")"
  m=$box/$(ls "$box")
  grep -qx 'Mailing-List: contact team-help@example.test; run by ezmlm' "$m" || fail "$u: no Mailing-List: $(cat "$m")"
  grep -qx 'List-Post: <mailto:team@example.test>' "$m" || fail "$u: no List-Post"
  grep -qx 'List-Help: <mailto:team-help@example.test>' "$m" || fail "$u: no List-Help"
  grep -qx 'Delivered-To: mailing list team@example.test' "$m" || fail "$u: no list Delivered-To"
  grep -qx 'Subject: \[team\] hello team' "$m" || fail "$u: subject: $(grep '^Subject' "$m")"
  grep -qx 'first post' "$m" || fail "$u: body missing"
  grep -q "^Return-Path: <team-return-1-$u=example.test@example.test>" "$m" || fail "$u: VERP: $(grep Return-Path "$m")"
done
[ "$(cut -d: -f1 "$l/num")" = 1 ] || fail "num: $(cat "$l/num")"
grep -Eq 'delivery [0-9]+: success: ' "$mta_log" || fail "no successful delivery: $(cat "$mta_log")"
# The missing later programs were run and their guards turned 127 into 0.
if [ ! -x "$LETTERSHOP_BIN/ezmlm-clean" ]; then
  grep -Eq 'delivery [0-9]+: success: ezmlm-send:_info:_qp_[0-9]+/.*ezmlm-clean:_not_found' "$mta_log" ||
    fail "the editor's guarded lines did not run: $(cat "$mta_log")"
fi
grep -Eq 'delivery [0-9]+: (failure|deferral): ' "$mta_log" && fail "a delivery failed: $(cat "$mta_log")"

# Subscribers only (-u): a stranger's post is refused with the text.
ez ezmlm-make -+u "$l" || fail "ezmlm-make -+u failed"
[ -f "$l/subpostonly" ] || fail "no subpostonly"
printf 'From: mallory@example.org\nTo: team@example.test\nSubject: spam\n\nbuy now\n' |
  inject mallory@example.org team@example.test
wait_log 'delivery [0-9]+: failure: Sorry,_only_subscribers_may_post' 30
wait_queue_empty 30
for u in alice bob carol; do
  [ "$(ls "$(home "$u")/Maildir/new" | wc -l)" = 1 ] || fail "$u got the stranger's post"
done
stop_mta
echo ok
