#!/bin/bash
# e2e: ezmlm-clean (ezmlm-idx test 140; reference ezmlm.md 3.2): old pending
# posts without the x bit are deleted silently, old ones with it are returned
# to their Return-Path (envelope list-return-@host), newer and future ones
# stay; -R and noreturnposts delete without a notice; modtime and its
# clamping; stubs, unconfirmed posts and crash leftovers expire; a notice
# that cannot be queued keeps the post.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_modq.sh"
ezmlm_env
moderated_list
now=$(date +%s)
old=$((now - 200 * 3600))

put() {  # put SUBDIR NAME MODE [SENDER]
  printf 'Return-Path: <%s>\nDelivered-To: moderator for list@example.test\nSubject: %s\n\nbody of %s\n' \
    "${4-poster@example.org}" "$2" "$2" >"$d/mod/$1/$2"
  chmod "$3" "$d/mod/$1/$2"
}

put pending "$old.1" 600
put pending "$old.2" 700
put pending "$old.3" 700 ''
put pending "$((now - 3600)).4" 700
put pending "$((now + 100000)).5" 700
put accepted "$old.6" 600
put rejected "$old.7" 600
put rejected "$((now - 60)).8" 600
put unconfirmed "$old.9" 700
put pending ".tmp.$old.10" 600
touch -d '@'"$old" "$d/mod/pending/.tmp.$old.10"
put pending ".tmp.$now.11" 600
put pending "not-a-post" 700

rc=0; ez ezmlm-clean "$d" 2>"$w/err" || rc=$?
[ $rc = 0 ] || fail "ezmlm-clean: exit $rc $(cat "$w/err")"
[ "$(pending | tr '\n' ' ')" = "$((now - 3600)).4 $((now + 100000)).5 not-a-post " ] || fail "pending left: $(pending)"
[ "$(ls -A "$d/mod/pending" | grep -c '^\.tmp')" = 1 ] || fail "tmp files: $(ls -A "$d/mod/pending")"
[ -z "$(pending accepted)" ] && [ "$(pending rejected)" = "$((now - 60)).8" ] && [ -z "$(pending unconfirmed)" ] ||
  fail "stubs: $(pending accepted) / $(pending rejected) / $(pending unconfirmed)"
# exactly one notice: the x-bit post with a sender
[ "$(mails)" = 1 ] || fail "$(mails) notices"
m=$(last_msg)
[ "$(envelope_text "$(last_env)")" = "Flist-return-@example.test|Tposter@example.org||" ] ||
  fail "notice envelope: $(envelope_text "$(last_env)")"
[ "$(field "$m" Subject)" = "Returned post for list@example.test" ] || fail "subject: $(field "$m" Subject)"
[ "$(field "$m" From)" = "list-help@example.test" ] || fail "From: $(field "$m" From)"
grep -q 'not handled by the' "$m" || fail "mod-timeout text missing"
grep -qx "Subject: $old.2" "$m" && grep -qx "body of $old.2" "$m" || fail "post not returned"

# -R and noreturnposts: silent.
put pending "$old.20" 700
ez ezmlm-clean -R "$d"
[ ! -e "$d/mod/pending/$old.20" ] && [ "$(mails)" = 1 ] || fail "-R"
put pending "$old.21" 700
touch "$d/noreturnposts"
ez ezmlm-clean "$d"
[ ! -e "$d/mod/pending/$old.21" ] && [ "$(mails)" = 1 ] || fail "noreturnposts"
put pending "$old.22" 700
ez ezmlm-clean -r "$d"
[ "$(mails)" = 2 ] || fail "-r did not override noreturnposts"
rm "$d/noreturnposts"

# modtime 1 is clamped to 24 hours; 48 keeps a 30-hour-old post.
put pending "$((now - 25 * 3600)).30" 600
put pending "$((now - 23 * 3600)).31" 600
echo 1 >"$d/modtime"
ez ezmlm-clean "$d"
[ ! -e "$d/mod/pending/$((now - 25 * 3600)).30" ] && [ -e "$d/mod/pending/$((now - 23 * 3600)).31" ] || fail "modtime clamp"
put pending "$((now - 30 * 3600)).32" 600
echo 48 >"$d/modtime"
ez ezmlm-clean "$d"
[ -e "$d/mod/pending/$((now - 30 * 3600)).32" ] || fail "modtime 48"

# The notice cannot be queued: 111, the post stays for the next run.
put pending "$old.40" 700
queue_all 71
rc=0; ez ezmlm-clean "$d" 2>/dev/null || rc=$?
[ $rc = 111 ] && [ -e "$d/mod/pending/$old.40" ] || fail "queue failure: $rc"
echo ok
