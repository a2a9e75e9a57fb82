#!/bin/bash
# Issue 7 end to end through the real mail system: subscribers manage
# themselves by mail.
#   - alice writes to team-subscribe@ (qmail-inject), gets the confirmation
#     request in her Maildir, answers its Reply-To cookie address (the test
#     builds the reply from what arrived), gets the welcome, is listed;
#   - the same for unsubscribe (confirm, goodbye, gone);
#   - bob asks through team-request@ with "subscribe" in the Subject
#     (ezmlm-request forwards to team-subscribe-bob=...), and confirms;
#   - carol subscribes over SMTP (qmail-smtpd under tcpserver);
#   - forged cookies (a wrong hash, alice's cookie for mallory's address)
#     subscribe nobody.
# The list lives in ~owner (users/assign maps team and team-* to owner),
# made by ezmlm-make with the standard template; qmail-local runs the
# manager: ezmlm-weed, ezmlm-get, ezmlm-split, ezmlm-request, ezmlm-manage.
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
need_programs ezmlm-make ezmlm-weed ezmlm-get ezmlm-split ezmlm-request ezmlm-manage ezmlm-list
smtp_instance
ezmlm_env "$dir"
list_users alice bob carol mallory
l=$o/team
ez ezmlm-make -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$l" "$o/.qmail-team" team example.test || fail "ezmlm-make failed"
chmod 0755 "$o"
start_mta ./Mailbox

# mail_with USER REGEX [SECONDS] - the path of USER's message whose header
# has a line matching REGEX (grep -E), waiting for it to arrive
mail_with() {
  local box i f
  box=$(home "$1")/Maildir/new
  for i in $(seq 1 $((${3:-30} * 10))); do
    for f in "$box"/*; do
      [ -f "$f" ] || continue
      if sed '/^$/q' "$f" | grep -Eq -- "$2"; then
        echo "$f"
        return 0
      fi
    done
    sleep 0.1
  done
  fail "$1 got no message with '$2'; has: $(grep -h '^Subject:' "$box"/* 2>/dev/null | tr '\n' ' ')
log: $(cat "$mta_log")"
}
# header FILE NAME - the value of the first NAME: field (unfolded)
header() {
  sed '/^$/q' "$1" | awk -v n="$2" 'BEGIN { IGNORECASE = 1 }
    found && /^[ \t]/ { sub(/^[ \t]+/, " "); v = v $0; next }
    found { exit }
    tolower($0) ~ "^" tolower(n) ":" { found = 1; v = substr($0, length(n) + 2); sub(/^[ \t]+/, "", v) }
    END { print v }'
}
# reply_to USER FILE - answer FILE as a mail client would: to its Reply-To
reply_to() {
  local user=$1 f=$2 to subject
  to=$(header "$f" Reply-To)
  to=${to#*<}; to=${to%>*}
  subject=$(header "$f" Subject)
  [ -n "$to" ] || fail "no Reply-To in $(cat "$f")"
  printf 'From: %s@example.test\nTo: %s\nSubject: Re: %s\n\n> quoted request\n' "$user" "$to" "$subject" |
    inject "$user@example.test" "$to"
}
listed() {
  ez ezmlm-list "$l" | sort | tr '\n' ' '
}

# 1. alice subscribes by mail and confirms.
printf 'From: alice@example.test\nTo: team-subscribe@example.test\nSubject: hi\n\n' |
  inject alice@example.test team-subscribe@example.test
confirm=$(mail_with alice '^Subject: confirm subscribe to team@example.test$')
rt=$(header "$confirm" Reply-To)
[[ "$rt" =~ ^team-sc\.[0-9]+\.[a-p]{20}-alice=example\.test@example\.test$ ]] || fail "Reply-To: $rt"
[ "$(header "$confirm" From)" = "team-help@example.test" ] || fail "From: $(header "$confirm" From)"
grep -q "^Return-Path: <team-return-@example.test>" "$confirm" || fail "envelope sender: $(grep Return-Path "$confirm")"
[ -z "$(listed)" ] || fail "subscribed before confirming: $(listed)"
reply_to alice "$confirm"
welcome=$(mail_with alice '^Subject: WELCOME to team@example.test$')
grep -q '^List-Unsubscribe: <mailto:team-unsubscribe-alice=example.test@example.test>' "$welcome" ||
  fail "welcome: $(cat "$welcome")"
[ "$(listed)" = "alice@example.test " ] || fail "list after confirming: $(listed)"
grep -Eq '^[0-9]+ \+ alice@example.test' "$l/Log" || fail "Log: $(cat "$l/Log")"

# 2. A forged cookie: alice's confirmation address with mallory's address,
# and one with a hash that is not ours. Nobody is subscribed.
wait_queue_empty 30
forged=${rt%%-alice=example.test@example.test}-mallory=example.test@example.test
printf 'From: mallory@example.test\nTo: %s\nSubject: yes\n\n' "$forged" | inject mallory@example.test "$forged"
t=$(echo "$rt" | cut -d. -f2)
badhash="team-sc.$t.aaaaaaaaaaaaaaaaaaaa-mallory=example.test@example.test"
printf 'From: mallory@example.test\nTo: %s\nSubject: yes\n\n' "$badhash" | inject mallory@example.test "$badhash"
wait_queue_empty 30
[ "$(listed)" = "alice@example.test " ] || fail "a forged cookie subscribed someone: $(listed)"
! grep -q mallory "$l/Log" || fail "Log mentions mallory: $(cat "$l/Log")"

# 3. bob asks team-request@ with the command in the Subject.
printf 'From: bob@example.test\nTo: team-request@example.test\nSubject: subscribe\n\nplease\n' |
  inject bob@example.test team-request@example.test
bconfirm=$(mail_with bob '^Subject: confirm subscribe to team@example.test$')
grep -q '^Delivered-To: request processor for team@example.test' "$bconfirm" ||
  fail "the confirmation does not quote the forwarded request: $(cat "$bconfirm")"
reply_to bob "$bconfirm"
mail_with bob '^Subject: WELCOME to team@example.test$' >/dev/null
[ "$(listed)" = "alice@example.test bob@example.test " ] || fail "list after bob: $(listed)"

# 4. carol subscribes over SMTP and confirms with qmail-inject.
start_smtpd
"$PY" - "$smtp_port" <<'PY' || fail "SMTP conversation failed"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.sendmail("carol@example.test", ["team-subscribe@example.test"],
           b"From: carol@example.test\r\nTo: team-subscribe@example.test\r\nSubject: sub\r\n\r\nhi\r\n")
s.quit()
PY
cconfirm=$(mail_with carol '^Subject: confirm subscribe to team@example.test$')
reply_to carol "$cconfirm"
mail_with carol '^Subject: WELCOME to team@example.test$' >/dev/null
[ "$(listed)" = "alice@example.test bob@example.test carol@example.test " ] || fail "list after carol: $(listed)"

# 5. alice leaves: confirm, goodbye, gone.
printf 'From: alice@example.test\nTo: team-unsubscribe@example.test\nSubject: bye\n\n' |
  inject alice@example.test team-unsubscribe@example.test
uconfirm=$(mail_with alice '^Subject: confirm unsubscribe from team@example.test$')
[[ "$(header "$uconfirm" Reply-To)" =~ ^team-uc\.[0-9]+\.[a-p]{20}-alice=example\.test@example\.test$ ]] ||
  fail "unsubscribe Reply-To: $(header "$uconfirm" Reply-To)"
[ "$(listed)" = "alice@example.test bob@example.test carol@example.test " ] || fail "removed before confirming"
reply_to alice "$uconfirm"
mail_with alice '^Subject: GOODBYE from team@example.test$' >/dev/null
[ "$(listed)" = "bob@example.test carol@example.test " ] || fail "list after unsubscribe: $(listed)"
grep -Eq '^[0-9]+ - alice@example.test' "$l/Log" || fail "Log: $(cat "$l/Log")"

wait_queue_empty 30
grep -Eq 'delivery [0-9]+: (failure|deferral): ' "$mta_log" && fail "a delivery failed: $(cat "$mta_log")"
stop_mta
echo ok
