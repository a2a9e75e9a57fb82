#!/bin/bash
# A home qmail-local cannot use defers the mail; it is delivered once the
# home is fixed. Nothing is lost, nothing bounces.
#
# 1. mary's home cannot be entered (mode 000 for an ordinary user; as root,
#    which ignores modes, a home path that is a file). users/assign names it,
#    so qmail-local itself meets the problem: "Unable to switch to
#    <home>" (#4.3.0), a deferral; after the fix and ALRM, delivered.
# 2. sam's home is sticky (he is editing his .qmail file): "Home directory is
#    sticky: user is editing his .qmail file. (#4.2.1)", a deferral; after
#    chmod -t and ALRM, delivered.
# 3. kim's home is world-writable: "Uh-oh: home directory is writable.
#    (#4.7.0)", a deferral.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user mary
add_user sam
add_user kim
add_user joe
mary=$(home mary)
if [ "$(id -u)" = 0 ]; then
  rmdir "$mary"; echo 'not a directory' >"$mary"; chmod 0644 "$mary"
else
  chmod 000 "$mary"
  on_exit "chmod 755 '$mary'"
fi
chmod +t "$(home sam)"
chmod 0777 "$(home kim)"
printf '=mary:mary:%s:%s:%s:::\n.\n' "$(id -u)" "$(id -g)" "$mary" >"$dir/users/assign"
"$dir/bin/qmail-newu" || fail "qmail-newu exited $?"
start_mta ./Mailbox

for who in mary sam kim; do
  printf 'Subject: for %s\n\nhello %s\n' "$who" "$who" | enqueue joe@example.test "$who@example.test"
done
dnum() { sed -nE "s/^starting delivery ([0-9]+): msg [0-9]+ to local $1@example\\.test\$/\\1/p" "$mta_log" | head -n 1; }
for who in mary sam kim; do
  wait_log "^starting delivery [0-9]+: msg [0-9]+ to local $who@example\\.test\$"
done
for who in mary sam kim; do wait_log "^delivery $(dnum "$who"): "; done

grep -Eqx "delivery $(dnum mary): deferral: Unable_to_switch_to_${mary//./\\.}:_.*_\\(#4\\.3\\.0\\)/" "$mta_log" ||
  fail "mary: $(grep "^delivery $(dnum mary): " "$mta_log")"
grep -qx "delivery $(dnum sam): deferral: Home_directory_is_sticky:_user_is_editing_his_.qmail_file._(#4.2.1)/" "$mta_log" ||
  fail "sam: $(grep "^delivery $(dnum sam): " "$mta_log")"
grep -qx "delivery $(dnum kim): deferral: Uh-oh:_home_directory_is_writable._(#4.7.0)/" "$mta_log" ||
  fail "kim: $(grep "^delivery $(dnum kim): " "$mta_log")"
sleep 1
[ "$(queue_counts)" = "3 0" ] || fail "the three deferred messages are not all queued: $(queue_counts)"
[ ! -e "$(home joe)/Mailbox" ] || fail "a temporary failure bounced"

# Fix the homes; ALRM until every message is delivered.
if [ -f "$mary" ]; then rm "$mary"; mkdir -m 0755 "$mary"; else chmod 755 "$mary"; fi
chmod -t "$(home sam)"
chmod 0755 "$(home kim)"
for i in $(seq 1 30); do
  [ "$(queue_counts)" = "0 0" ] && break
  run_queue
  sleep 1
done
wait_queue_empty
for who in mary sam kim; do
  [ "$(grep -c "^hello $who\$" "$(home "$who")/Mailbox" 2>/dev/null)" = 1 ] ||
    fail "$who's message is not in ~$who/Mailbox once; log: $(cat "$mta_log")"
done
[ ! -e "$(home joe)/Mailbox" ] || fail "a temporary failure bounced"
stop_mta
echo ok
