#!/bin/bash
# e2e: ezmlm-confirm and ezmlm-accept (reference ezmlm.md 3.2, 6.1; issue
# 10): confirm hands the post to the given command with the poster as
# SENDER, discard drops it, repeats and forged cookies are refused with
# nothing sent, a failing command puts the post back; ezmlm-accept posts
# queue files with their x bit, skips others, writes the accepted stub.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_modq.sh"
ezmlm_env
moderated_list
touch "$d/confirmpost"
ez ezmlm-sub "$d" sub1@example.org

ask() {  # ask SUBJECT -> $yes, $no (local parts after list-), $name
  printf 'From: poster@example.org\nTo: list@example.test\nSubject: %s\n\nbody of %s\n' "$1" "$1" |
    SENDER=poster@example.org ez ezmlm-store "$d" 2>/dev/null || fail "ezmlm-store failed"
  yes=$(field "$(last_msg)" Reply-To); yes=${yes#list-}; yes=${yes%@example.test}
  no=$(tr '\0' '\n' <"$(last_env)" | head -1); no=${no#Flist-}; no=${no%@example.test}
  name=$(echo "$yes" | cut -d- -f2 | cut -d. -f1-2)
  [ -f "$d/mod/unconfirmed/$name" ] || fail "not in unconfirmed: $(ls "$d/mod/unconfirmed")"
  [ "$(field "$(last_msg)" To)" = "<poster@example.org>" ] || fail "request To: $(field "$(last_msg)" To)"
  [ "$(field "$(last_msg)" From)" = "list-owner@example.test" ] || fail "request From"
  grep -qx "   list-$yes@example.test" "$(last_msg)" || fail "post-confirm text lacks the confirm address"
}
confirm() {  # confirm DEFAULT [command...] -> $rc, $w/err
  rc=0
  SENDER=poster@example.org LOCAL="list-$1" DEFAULT=$1 ez ezmlm-confirm "$d" "${@:2}" </dev/null 2>"$w/err" || rc=$?
}

# confirm -> the command (here ezmlm-store -Y, which sends: no modpost)
ask one
n=$(mails)
confirm "$yes" "$LETTERSHOP_BIN/ezmlm-store" -Y "$d"
[ $rc = 0 ] || fail "confirm: $rc $(cat "$w/err")"
[ "$(mails)" = $((n + 1)) ] && grep -qx 'Subject: one' "$(last_msg)" || fail "confirm did not post"
tr '\0' '\n' <"$(last_env)" | grep -qx 'Tsub1@example.org' || fail "post not to the subscriber"
head -1 "$d/archive/0/01" | grep -qx 'Return-Path: <poster@example.org>' || fail "archived sender"
[ -z "$(ls -A "$d/mod/unconfirmed")" ] || fail "left in unconfirmed: $(ls -A "$d/mod/unconfirmed")"
confirm "$yes" "$LETTERSHOP_BIN/ezmlm-store" -Y "$d"
[ $rc = 100 ] && grep -q 'no longer have this message' "$w/err" || fail "second confirm: $rc"
[ "$(mails)" = $((n + 1)) ] || fail "second confirm posted"

# forged: changed hash, the reject verb, accept- (ezmlm-moderate's) refused
ask two
n=$(mails)
for def in "${yes%?}$([ "${yes: -1}" = a ] && echo b || echo a)" "reject-${yes#confirm-}" "accept-${yes#confirm-}" "confirm-$name"; do
  confirm "$def"
  [ $rc = 100 ] && grep -q 'malformed or out of date' "$w/err" || fail "forged $def: $rc $(cat "$w/err")"
done
[ "$(mails)" = $n ] && [ -f "$d/mod/unconfirmed/$name" ] || fail "a forged cookie had an effect"

# a failing command puts the post back; then discard drops it
confirm "$yes" /bin/sh -c 'cat >/dev/null; exit 111'
[ $rc = 111 ] && [ -f "$d/mod/unconfirmed/$name" ] || fail "failing command: $rc $(ls -A "$d/mod/unconfirmed")"
confirm "$no"
[ $rc = 0 ] && [ -z "$(ls -A "$d/mod/unconfirmed")" ] && [ "$(mails)" = $n ] || fail "discard: $rc"
confirm "$no"
[ $rc = 100 ] || fail "second discard: $rc"

# ezmlm-accept: x-bit files are posted and removed (stub written), others skipped
rm -f "$d/confirmpost"
touch "$d/modpost"
ez ezmlm-sub "$d" mod mod@example.org
printf 'From: p2@example.org\nTo: list@example.test\nSubject: waiting\n\nwaiting body\n' |
  SENDER=p2@example.org ez ezmlm-store "$d" 2>/dev/null || fail "store for accept"
p=$(pending)
printf 'Return-Path: <x@example.org>\nSubject: not sent\n\nx\n' >"$d/mod/pending/1.1"
chmod 600 "$d/mod/pending/1.1"
n=$(mails)
rc=0; ez ezmlm-accept "$d" "$d"/mod/pending/* 2>"$w/err" || rc=$?
[ $rc = 0 ] || fail "ezmlm-accept: $rc $(cat "$w/err")"
[ "$(mails)" = $((n + 1)) ] && grep -qx 'Subject: waiting' "$(last_msg)" || fail "ezmlm-accept did not post"
head -1 "$d/archive/0/02" | grep -qx 'Return-Path: <p2@example.org>' || fail "ezmlm-accept: SENDER not from Return-Path"
[ ! -e "$d/mod/pending/$p" ] && [ -e "$d/mod/accepted/$p" ] && [ -e "$d/mod/pending/1.1" ] || fail "ezmlm-accept files"
rc=0; ez ezmlm-accept "$d" 2>/dev/null || rc=$?
[ $rc = 100 ] || fail "ezmlm-accept without files: $rc"
echo ok
