#!/bin/bash
# Two virtual domains of one master user: bob@domain1.com and bob@domain2.com
# are different people, and an unknown user bounces.
#
# control/virtualdomains sends domain1.com and domain2.com to the account
# domain1, whose .qmail-default pipes every message to virtmailfilter with
# --prefix $dir/virtual. virtmailfilter finds $prefix/<domain>/etc/passwd,
# looks EXT (bob) up, and virtmaildelivery writes Return-Path, Delivered-To
# and the message into that bob's Maildir: the body byte for byte, its
# "From " lines not quoted. carol@domain1.com has no account: the bounce
# reaches joe with virtmailfilter's "no such user" text. A host name below
# the domain (mail.domain1.com is no virtual domain itself, so this part
# runs virtmailfilter directly) finds domain1.com by the suffix walk.
. "$LETTERSHOP_SRC/tests/e2e/lib/virtual.sh"
virtual_instance
bob1=$(virtual_user domain1.com bob)
bob2=$(virtual_user domain2.com bob)
start_mta ./Mailbox

body='From the start of a line
>From already quoted
last line'
printf 'Subject: to bob one\n\n%s\n' "$body" | inject joe@example.test bob@domain1.com
printf 'Subject: to bob two\n\n%s\n' "$body" | inject joe@example.test BOB@Domain2.COM
wait_queue_empty

for n in 1 2; do
  h=bob$n
  box=${!h}/Maildir
  [ "$(maildir_files "$box" | wc -l)" = 1 ] || fail "bob@domain$n.com: want one message in $box; log: $(cat "$mta_log")"
  f=$(maildir_files "$box")
  grep -q "^Subject: to bob $( [ $n = 1 ] && echo one || echo two)\$" "$f" || fail "bob$n got the wrong message: $(cat "$f")"
  [ "$(sed -n 1p "$f")" = 'Return-Path: <joe@example.test>' ] || fail "line 1 of $f: $(sed -n 1p "$f")"
  # qmail-local's DTLINE keeps the case the sender used.
  want_dt=$( [ $n = 1 ] && echo domain1-bob@domain1.com || echo domain1-BOB@Domain2.COM)
  [ "$(sed -n 2p "$f")" = "Delivered-To: $want_dt" ] || fail "line 2 of $f: $(sed -n 2p "$f")"
  # The body: everything after the first empty line, byte for byte.
  sed '1,/^$/d' "$f" >"$dir/body$n"
  printf '%s\n' "$body" >"$dir/body.want"
  cmp -s "$dir/body.want" "$dir/body$n" || fail "body of $f changed: $(cat "$dir/body$n")"
done
grep -Eq '^delivery [0-9]+: success: virtmaildelivery:_bob_new/' "$mta_log" ||
  fail "no success line naming the Maildir file; log: $(cat "$mta_log")"

# An unknown user: a bounce to the sender that says why.
printf 'Subject: to carol\n\nhello\n' | inject joe@example.test carol@domain1.com
wait_log '^delivery [0-9]+: failure: '
wait_queue_empty
box=$(home joe)/Mailbox
[ -s "$box" ] || fail "no bounce for carol; log: $(cat "$mta_log")"
bounce_paragraph "$box" | grep -qx '<carol@domain1.com>:' || fail "bounce lacks the address: $(cat "$box")"
bounce_paragraph "$box" | grep -q 'virtmailfilter: fatal: no such user: carol@domain1.com (#5.1.1)' ||
  fail "bounce lacks 'no such user': $(cat "$box")"
stop_mta

# The suffix walk: mail.domain1.com is served by $prefix/domain1.com.
w=$dir/w
mkdir -p "$w"
printf 'Subject: walk\n\nhi\n' >"$w/msg"
HOST=mail.domain1.com EXT=Bob DTLINE="Delivered-To: domain1-bob@mail.domain1.com
" RPLINE="Return-Path: <joe@example.test>
" expect_exit virtmailfilter 0 '' --prefix "$prefix" <"$w/msg"
[ "$(maildir_files "$bob1/Maildir" | wc -l)" = 2 ] || fail "mail.domain1.com did not reach bob@domain1.com"
echo ok
