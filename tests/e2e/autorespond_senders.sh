#!/bin/bash
# A user's autoresponder in a running sandbox MTA: three local senders, each
# answered once (mary up to NUM times), lists and bounces never.
#
# joe's .qmail is "./Maildir/" and "|autorespond 10000 5 ./message ./ar".
# mary, ann and bob are local users with Maildirs (the default delivery).
# mary writes six times within the window and gets exactly NUM=5 replies;
# ann writes once and also posts through a list (List-Id) and gets one
# reply; bob writes once and once with "Precedence: list" and gets one; a
# bounce (empty SENDER) to joe gets none. Every reply in a sender's Maildir
# is checked: From, To, Subject with %S, Auto-Submitted, In-Reply-To,
# References, MIME labels, the body and the quoted original. joe keeps
# every one of his eleven messages, and DIR holds one record per reply.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
for u in joe mary ann bob; do
  add_user "$u"
  "$LETTERSHOP_BIN/maildirmake" "$(home "$u")/Maildir" || fail "maildirmake $u"
done
joe=$(home joe)
mkdir "$joe/ar"
printf 'From: Joe <joe@example.test>\nSubject: Away: %%S\n\nI am away until Monday.\n' >"$joe/message"
printf './Maildir/\n|autorespond 10000 5 ./message ./ar\n' >"$joe/.qmail"
# autorespond is found on PATH, as in a real .qmail line.
MTA_PATH="$dir/bin:$MTA_PATH"
start_mta ./Maildir/

mail() {  # mail SENDER MESSAGE-ID SUBJECT [EXTRA-HEADER]
  printf 'From: %s\nTo: joe@example.test\nSubject: %s\nMessage-ID: <%s>\n%s\nhi from %s\n' \
    "$1" "$3" "$2" "${4:+$4
}" "$1" | enqueue "$1" joe@example.test
}
for n in 1 2 3 4 5 6; do mail mary@example.test "mary$n@example.test" "Hello $n"; done
mail ann@example.test ann1@example.test 'Question'
mail ann@example.test ann2@example.test 'News' 'List-Id: <news.example.test>'
mail bob@example.test bob1@example.test 'Lunch'
mail bob@example.test bob2@example.test 'Digest' 'Precedence: list'
printf 'From: MAILER-DAEMON@example.test\nSubject: failure notice\n\nbounced\n' | enqueue '' joe@example.test
wait_queue_empty 60
stop_mta

count() { find "$(home "$1")/Maildir/new" -type f | wc -l; }
[ "$(count joe)" = 11 ] || fail "joe has $(count joe) messages, want 11"
[ "$(count mary)" = 5 ] || fail "mary has $(count mary) replies, want 5 (NUM)"
[ "$(count ann)" = 1 ] || fail "ann has $(count ann) replies, want 1 (none for the list post)"
[ "$(count bob)" = 1 ] || fail "bob has $(count bob) replies, want 1 (none for Precedence: list)"
[ "$(find "$joe/ar" -name 'A*' | wc -l)" = 7 ] || fail "DIR: $(ls "$joe/ar")"

# check_reply USER SUBJECT MSGID - the one reply in USER's Maildir with that In-Reply-To
check_reply() {
  local f
  f=$(grep -l "^In-Reply-To: <$3>\$" "$(home "$1")"/Maildir/new/*) || fail "$1: no reply to <$3>"
  [ "$(echo "$f" | wc -l)" = 1 ] || fail "$1: more than one reply to <$3>"
  head -n 3 "$f" | sed -n 1p | grep -qx "Return-Path: <joe@example.test>" || fail "$1: Return-Path: $(head -n 1 "$f")"
  sed -n '/^$/q;p' "$f" >"$dir/hdr"
  for want in "From: Joe <joe@example.test>" "To: $1@example.test" "Subject: Away: $2" \
    "References: <$3>" "Auto-Submitted: auto-replied" "Precedence: bulk" "MIME-Version: 1.0" \
    "Content-Type: text/plain; charset=us-ascii" "Content-Transfer-Encoding: 7bit"; do
    grep -qxF "$want" "$dir/hdr" || fail "$1: no '$want' in
$(cat "$dir/hdr")"
  done
  [ "$(grep -c '^Subject:' "$dir/hdr")" = 1 ] || fail "$1: Subject not single"
  [ "$(grep -c '^From:' "$dir/hdr")" = 1 ] || fail "$1: From not single"
  grep -Eqx 'Message-ID: <[0-9]+\.[0-9]+\.autorespond@example\.test>' "$dir/hdr" || fail "$1: Message-ID"
  sed '1,/^$/d' "$f" >"$dir/body"
  printf 'I am away until Monday.\n\n-------- Original Message --------\n> hi from %s@example.test\n' "$1" >"$dir/want"
  cmp -s "$dir/want" "$dir/body" || fail "$1: body differs: $(diff "$dir/want" "$dir/body")"
}
check_reply ann Question ann1@example.test
check_reply bob Lunch bob1@example.test
# mary: five distinct originals answered, each correctly.
answered=0
for n in 1 2 3 4 5 6; do
  if grep -q "^In-Reply-To: <mary$n@example.test>\$" "$(home mary)"/Maildir/new/*; then
    check_reply mary "Hello $n" "mary$n@example.test"
    answered=$((answered + 1))
  fi
done
[ "$answered" = 5 ] || fail "mary: $answered distinct originals answered"

# The delivery reports say why no reply went.
grep -q 'autorespond:_no_reply_to_ann@example\.test:_list' "$mta_log" || fail "no 'list' report; log: $(cat "$mta_log")"
grep -q 'autorespond:_no_reply_to_bob@example\.test:_precedence' "$mta_log" || fail "no 'precedence' report"
grep -q 'autorespond:_no_reply_to_:_null_sender' "$mta_log" || fail "no 'null sender' report"
grep -q 'autorespond:_no_reply_to_mary@example\.test:_rate_limit' "$mta_log" || fail "no 'rate limit' report"
echo ok
