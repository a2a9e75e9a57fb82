#!/bin/bash
# e2e: ezmlm-moderate (ezmlm-idx test 270; reference ezmlm.md 3.2, 6.1):
# reject with a %%% comment returns the post to its poster with the comment;
# accept posts through ezmlm-send; stubs; repeated and opposite decisions;
# forged and replayed cookies refused with nothing sent to subscribers; the
# LOCAL form of the address; the crash order of an accept.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_modq.sh"
ezmlm_env
moderated_list
touch "$d/modpost"
ez ezmlm-sub "$d" sub1@example.org sub2@example.org
ez ezmlm-sub "$d" mod mod@example.org

queue_post() {  # queue_post SUBJECT -> $name, $accept, $reject (local parts after list-)
  printf 'From: poster@example.org\nTo: list@example.test\nSubject: %s\n\nthe body of %s\n' "$1" "$1" |
    SENDER=poster@example.org ez ezmlm-store "$d" 2>/dev/null || fail "ezmlm-store failed"
  local m
  m=$(last_msg)
  accept=$(field "$m" Reply-To); accept=${accept#list-}; accept=${accept%@example.test}
  reject=$(field "$m" From); reject=${reject#list-}; reject=${reject%@example.test}
  name=$(echo "$accept" | cut -d- -f2 | cut -d. -f1-2)
  [ -f "$d/mod/pending/$name" ] || fail "no pending $name"
}

moderate() {  # moderate DEFAULT [ARGS...] <reply -> $rc, $w/err
  rc=0
  SENDER=mod@example.org LOCAL="list-$1" DEFAULT=$1 ez ezmlm-moderate "$d" "${@:2}" 2>"$w/err" || rc=$?
}

# 1. Reject with a quoted comment: notice to the poster, stub, pending gone.
queue_post first
n=$(mails)
printf 'Subject: Re: MODERATE\n\n> %%%%%%\n> Please stay on topic.\n> %%%%%%\n' >"$w/reply"
moderate "$reject" <"$w/reply"
[ $rc = 0 ] || fail "reject: exit $rc $(cat "$w/err")"
[ "$(mails)" = $((n + 1)) ] || fail "no notice"
m=$(last_msg)
[ "$(envelope_text "$(last_env)")" = "Flist-return-@example.test|Tposter@example.org||" ] ||
  fail "notice envelope: $(envelope_text "$(last_env)")"
[ "$(field "$m" Subject)" = "Returned post for list@example.test" ] || fail "notice subject: $(field "$m" Subject)"
[ "$(field "$m" From)" = "list-owner@example.test" ] || fail "notice From"
[ "$(field "$m" To)" = "poster@example.org" ] || fail "notice To"
grep -qx 'Please stay on topic.' "$m" || fail "comment missing: $(cat "$m")"
grep -q 'not accepted by the' "$m" || fail "mod-reject text missing"
grep -qx 'the body of first' "$m" || fail "post not returned"
[ -f "$d/mod/rejected/$name" ] && [ ! -e "$d/mod/pending/$name" ] || fail "reject stubs"
# re-reject: 0, nothing sent; accept after reject: 100.
moderate "$reject" </dev/null
[ $rc = 0 ] && [ "$(mails)" = $((n + 1)) ] || fail "re-reject: $rc"
grep -q 'already rejected' "$w/err" || fail "re-reject text: $(cat "$w/err")"
moderate "$accept" </dev/null
[ $rc = 100 ] && grep -q 'already rejected' "$w/err" || fail "accept after reject: $rc $(cat "$w/err")"
[ "$(mails)" = $((n + 1)) ] || fail "accept after reject sent mail"

# 2. Accept: ezmlm-send posts to the subscribers with the poster as sender.
queue_post second
n=$(mails)
moderate "$accept" </dev/null
[ $rc = 0 ] || fail "accept: exit $rc $(cat "$w/err")"
[ "$(mails)" = $((n + 1)) ] || fail "accept did not post"
[ "$(tr '\0' '\n' <"$(last_env)" | sed 1d | LC_ALL=C sort | tr '\n' '|')" = "|Tsub1@example.org|Tsub2@example.org|" ] ||
  fail "post envelope: $(envelope_text "$(last_env)")"
[ "$(tr '\0' '\n' <"$(last_env)" | head -1)" = "Flist-return-1-@example.test-@[]" ] || fail "post sender"
grep -qx 'Subject: second' "$(last_msg)" && grep -qx 'the body of second' "$(last_msg)" || fail "post content"
head -1 "$d/archive/0/01" | grep -qx 'Return-Path: <poster@example.org>' || fail "archived with the wrong sender"
[ -f "$d/mod/accepted/$name" ] && [ ! -e "$d/mod/pending/$name" ] || fail "accept stubs"
moderate "$accept" </dev/null
[ $rc = 0 ] && [ "$(mails)" = $((n + 1)) ] || fail "re-accept: $rc, or it posted again"
moderate "$reject" </dev/null
[ $rc = 100 ] && grep -q 'already accepted' "$w/err" || fail "reject after accept: $rc"
[ "$(mails)" = $((n + 1)) ] || fail "reject after accept sent mail"

# 3. Forged cookies: a changed hash, another post's hash, garbage; all 100, nothing sent.
queue_post third
n=$(mails)
bad=${accept%?}a; [ "$bad" = "$accept" ] && bad=${accept%?}b
for def in "$bad" "accept-$name.aaaaaaaaaaaaaaaaaaaa" "accept-$name" "accept-x.y.z" "accept-" "bogus-$name.aaaaaaaaaaaaaaaaaaaa"; do
  moderate "$def" </dev/null
  [ $rc = 100 ] || fail "forged $def: exit $rc"
  grep -q 'malformed or out of date' "$w/err" || fail "forged $def: $(cat "$w/err")"
done
# a reject- cookie is the same hash: the verb is in the address, not the hash
[ "${reject#reject-}" = "${accept#accept-}" ] || fail "accept and reject hashes differ"
[ "$(mails)" = $n ] && [ -f "$d/mod/pending/$name" ] || fail "a forged cookie had an effect"
# ezmlm-confirm does not take accept- cookies
rc=0; SENDER=mod@example.org LOCAL="list-$accept" DEFAULT=$accept ez ezmlm-confirm "$d" </dev/null 2>/dev/null || rc=$?
[ $rc = 100 ] || fail "ezmlm-confirm took an accept cookie: $rc"

# 4. The LOCAL form (qmail-local's DEFAULT after dot-accept-default) and a
#    command given as one string (through /bin/sh) — the poster as SENDER.
moderate_local() {
  rc=0
  SENDER=mod@example.org LOCAL="list-$1" DEFAULT=${1#*-} ez ezmlm-moderate "$d" "${@:2}" 2>"$w/err" || rc=$?
}
moderate_local "$accept" "echo \"\$SENDER\" >$w/sender; cat >$w/taken" </dev/null
[ $rc = 0 ] || fail "LOCAL form: $rc $(cat "$w/err")"
[ "$(cat "$w/sender")" = "poster@example.org" ] || fail "SENDER for the command: $(cat "$w/sender")"
grep -qx 'the body of third' "$w/taken" || fail "command did not get the post"
[ "$(mails)" = $n ] || fail "the command's accept went through ezmlm-send"

# 5. A replayed cookie after the post expired: "I no longer have this message".
queue_post fourth
rm -f "$d/mod/pending/$name"
n=$(mails)
moderate "$accept" </dev/null
[ $rc = 100 ] && grep -q 'no longer have this message' "$w/err" || fail "gone: $rc $(cat "$w/err")"
[ "$(mails)" = $n ] || fail "gone: mail sent"

# 6. Argv form of the command, and a failing command: stub removed, post kept.
queue_post fifth
moderate "$accept" /bin/sh -c 'exit 111'
[ $rc = 111 ] || fail "failing command: exit $rc"
[ -f "$d/mod/pending/$name" ] && [ ! -e "$d/mod/accepted/$name" ] || fail "failed accept changed the queue"
moderate "$accept" "$LETTERSHOP_BIN/ezmlm-send" "$d"
[ $rc = 0 ] && [ ! -e "$d/mod/pending/$name" ] || fail "argv accept: $rc $(cat "$w/err")"
grep -qx 'Subject: fifth' "$(last_msg)" || fail "argv accept did not post"

# 7. Crash after the stub: pending and stub both there -> no second post.
queue_post sixth
: >"$d/mod/accepted/$name"
n=$(mails)
moderate "$accept" </dev/null
[ $rc = 0 ] && [ "$(mails)" = $n ] && [ ! -e "$d/mod/pending/$name" ] || fail "crash order: $rc, mails $(mails)/$n"

# 8. No comment, base64 reply: the notice has no comment frame; bounce SENDER refused.
queue_post seventh
printf 'Content-Transfer-Encoding: base64\n\n%s\n' "$(printf '%%%%%%\nbase64 says no\n%%%%%%\n' | base64)" >"$w/reply64"
moderate "$reject" <"$w/reply64"
grep -qx 'base64 says no' "$(last_msg)" || fail "base64 comment"
queue_post eighth
moderate "$reject" </dev/null
grep -q 'comment from the moderator' "$(last_msg)" && fail "empty comment framed"
rc=0; SENDER= LOCAL="list-$accept" DEFAULT=$accept ez ezmlm-moderate "$d" </dev/null 2>/dev/null || rc=$?
[ $rc = 100 ] || fail "bounce sender: $rc"
echo ok
