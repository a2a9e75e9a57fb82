#!/bin/bash
# e2e: the real editor, moderator and confirmer files of ezmlm-make's
# template, run through ezmlm-dispatch (ezmlm-idx test 310; reference
# ezmlm.md 2.4, 6.1): after `ezmlm-make -+ -BDGHJKLMNORSTUWY`, the deny db,
# a plain post, modpost -> moderator -> accept, confirmpost -> list-discard-
# request to the sender -> confirm and discard, subpostonly, and the gate
# combinations (um: subscribers post, others are moderated; umy: everyone
# confirms, then the gate decides).
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_modq.sh"
for p in ezmlm-make ezmlm-dispatch ezmlm-reject ezmlm-checksub ezmlm-store ezmlm-send ezmlm-gate \
  ezmlm-moderate ezmlm-confirm ezmlm-clean; do
  [ -x "$LETTERSHOP_BIN/$p" ] || fail "$p is not built"
done
QMAILHOME=$ez
export QMAILHOME
lists=$ez/lists
d=$lists/list
mkdir -p "$lists" "$ez/dot"
ez ezmlm-make -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$d" "$ez/dot/.qmail-list" list example.test ||
  fail "ezmlm-make failed"
ez ezmlm-make -+ -BDGHJKLMNORSTUWY "$d" || fail "ezmlm-make -+ failed"
ez ezmlm-sub "$d" sub@example.org
ez ezmlm-sub "$d" mod mod@example.org
ez ezmlm-sub "$d" deny bad@example.org
queue_all

deliver() {  # deliver DEFAULT-after-list SENDER [SUBJECT] -> $rc, $w/out
  local ext=$1 sender=$2 subject=${3:-hello}
  printf 'From: %s\nTo: list@example.test\nSubject: %s\n\nbody: %s\n' "$sender" "$subject" "$subject" >"$w/msg"
  rc=0
  if [ -z "$ext" ]; then
    SENDER=$sender LOCAL=list DEFAULT=list ez ezmlm-dispatch "$lists" <"$w/msg" >"$w/out" 2>&1 || rc=$?
  else
    SENDER=$sender LOCAL="list-$ext" DEFAULT="list-$ext" ez ezmlm-dispatch "$lists" <"$w/msg" >"$w/out" 2>&1 || rc=$?
  fi
}
posted() {  # posted SUBJECT -> true if the newest mail is that post to the subscribers
  grep -qx "Subject: $1" "$(last_msg)" && grep -q '^Delivered-To: mailing list list@example.test' "$(last_msg)" &&
    tr '\0' '\n' <"$(last_env)" | grep -qx 'Tsub@example.org'
}
cookie_of() {  # cookie_of FIELD VERB -> T.PID.HASH from the newest mail's FIELD
  field "$(last_msg)" "$1" | sed -n "s/^<*list-$2-\([0-9]*\.[0-9]*\.[a-p]*\)@example.test>*\$/\1/p"
}

# deny: refused, nothing sent
n=$(mails)
deliver "" bad@example.org denied
[ $rc = 100 ] && [ "$(mails)" = $n ] || fail "deny: exit $rc, mails $(mails) $(cat "$w/out")"

# plain post
deliver "" anyone@example.net plain
[ $rc = 0 ] && posted plain || fail "plain post: exit $rc $(cat "$w/out")"

# modpost: request to the moderator; accept through the moderator file
ez ezmlm-make -+m "$d"
n=$(mails)
deliver "" anyone@example.net moderated
[ $rc = 0 ] && [ "$(mails)" = $((n + 1)) ] || fail "modpost: $rc $(cat "$w/out")"
[ "$(envelope_text "$(last_env)")" = "Flist-return-@example.test|Tmod@example.org||" ] || fail "modpost envelope"
c=$(cookie_of Reply-To accept)
[ -n "$c" ] || fail "no accept address: $(field "$(last_msg)" Reply-To)"
deliver "accept-$c" mod@example.org
[ $rc = 0 ] && posted moderated || fail "accept via moderator: $rc $(cat "$w/out")"

# confirmpost (no modpost): request to the sender from list-discard-...
ez ezmlm-make -+My "$d"
n=$(mails)
deliver "" poster@example.net confirm-me
[ $rc = 0 ] && [ "$(mails)" = $((n + 1)) ] || fail "confirmpost: $rc $(cat "$w/out")"
tr '\0' '\n' <"$(last_env)" | head -1 | grep -Eqx 'Flist-discard-[0-9]+\.[0-9]+\.[a-p]{20}@example.test' ||
  fail "confirm envelope: $(envelope_text "$(last_env)")"
tr '\0' '\n' <"$(last_env)" | grep -qx 'Tposter@example.net' || fail "confirm request not to the sender"
[ "$(field "$(last_msg)" Subject)" = "Confirm post to list@example.test" ] || fail "confirm subject"
c=$(cookie_of Reply-To confirm)
deliver "confirm-$c" poster@example.net
[ $rc = 0 ] && posted confirm-me || fail "confirm: $rc $(cat "$w/out")"
deliver "confirm-$c" poster@example.net
[ $rc = 100 ] && grep -q 'no longer have this message' "$w/out" || fail "second confirm: $rc"
deliver "" poster@example.net discard-me
d_cookie=$(tr '\0' '\n' <"$(last_env)" | head -1 | sed 's/^Flist-discard-//; s/@example.test$//')
n=$(mails)
deliver "discard-$d_cookie" poster@example.net
[ $rc = 0 ] && [ "$(mails)" = $n ] && [ -z "$(ls "$d/mod/unconfirmed")" ] || fail "discard: $rc $(cat "$w/out")"

# subpostonly without modpost: strangers refused with the text, subscribers post
ez ezmlm-make -+uY "$d"
n=$(mails)
deliver "" stranger@example.net subonly
[ $rc = 100 ] && grep -q 'only subscribers may post' "$w/out" && [ "$(mails)" = $n ] ||
  fail "subpostonly stranger: $rc $(cat "$w/out")"
deliver "" sub@example.org subonly
[ $rc = 0 ] && posted subonly || fail "subpostonly subscriber: $rc $(cat "$w/out")"

# gate (um): subscribers post, strangers are moderated
ez ezmlm-make -+um "$d"
deliver "" sub@example.org gated-sub
[ $rc = 0 ] && posted gated-sub || fail "gate subscriber: $rc $(cat "$w/out")"
n=$(mails)
deliver "" stranger@example.net gated-stranger
[ $rc = 0 ] && [ "$(mails)" = $((n + 1)) ] || fail "gate stranger: $rc $(cat "$w/out")"
[ "$(field "$(last_msg)" Subject)" = "MODERATE for list@example.test" ] || fail "gate stranger not moderated"

# umy: everyone confirms first; then the gate posts a subscriber's post
ez ezmlm-make -+umy "$d"
deliver "" sub@example.org confirm-gate
[ "$(field "$(last_msg)" Subject)" = "Confirm post to list@example.test" ] || fail "umy: no confirm request"
c=$(cookie_of Reply-To confirm)
deliver "confirm-$c" sub@example.org
[ $rc = 0 ] && posted confirm-gate || fail "umy confirm: $rc $(cat "$w/out")"
deliver "" stranger@example.net confirm-gate2
c=$(cookie_of Reply-To confirm)
deliver "confirm-$c" stranger@example.net
[ $rc = 0 ] && [ "$(field "$(last_msg)" Subject)" = "MODERATE for list@example.test" ] ||
  fail "umy stranger after confirm: $rc $(field "$(last_msg)" Subject) $(cat "$w/out")"
echo ok
