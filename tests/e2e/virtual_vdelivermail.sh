#!/bin/bash
# vdelivermail for a domain wired through users/assign, as vadddomain does:
# "+domain3.com-:..." in users/assign, domain3.com:domain3.com in
# control/virtualdomains, and "|vdelivermail '' ACTION" in the domain
# directory's .qmail-default; the users are in vpasswd, compiled by vuserdb.
#   alice (relative home "alice"): the message lands in alice/Maildir/new;
#   carol has a .qmail: its program runs in her directory, its ./Maildir/
#     line delivers, its &alice@domain3.com forward reaches alice with
#     "Delivered-To: carol@domain3.com" on top;
#   unknown users, one ACTION after the other:
#     bounce-no-mailbox  joe gets a bounce "Sorry, no mailbox here by that name. (#5.1.1)"
#     delete             nothing is delivered, nothing bounces
#     alice@domain3.com  alice gets it
#     DIR                DIR/Maildir/new gets it
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user joe
ddir=$dir/vdomains/domain3.com
mkdir -p "$ddir/carol"
chmod 0755 "$dir/vdomains" "$ddir"
printf '+domain3.com-:domain3:%s:%s:%s:-::\n.\n' "$(id -u)" "$(id -g)" "$ddir" >"$dir/users/assign"
"$dir/bin/qmail-newu" || fail "qmail-newu exited $?"
echo domain3.com:domain3.com >"$dir/control/virtualdomains"
cat >"$ddir/vpasswd" <<EOF2
alice:x:1:1:Alice:alice:NOQUOTA
carol:x:1:1:Carol:$ddir/carol:
EOF2
(cd "$ddir" && "$dir/bin/vuserdb") || fail "vuserdb failed"
[ -s "$ddir/vpasswd.cdb" ] || fail "no vpasswd.cdb"
cat >"$ddir/carol/.qmail" <<'EOF2'
# carol keeps a copy and sends one to alice
|pwd >program.ran
./Maildir/
&alice@domain3.com
EOF2
action() { echo "|$dir/bin/vdelivermail '' $1" >"$ddir/.qmail-default"; }
action bounce-no-mailbox
start_mta ./Mailbox
# count MAILDIR - the number of messages in MAILDIR/new
count() { find "$1/new" -type f 2>/dev/null | wc -l; }

printf 'Subject: to alice\n\nFrom alice with love\n' | inject joe@example.test alice@domain3.com
wait_queue_empty
[ "$(count "$ddir/alice/Maildir")" = 1 ] || fail "alice: $(count "$ddir/alice/Maildir") messages; log: $(cat "$mta_log")"
f=$(find "$ddir/alice/Maildir/new" -type f)
[ "$(sed -n 2p "$f")" = 'Delivered-To: alice@domain3.com' ] || fail "alice's Delivered-To: $(sed -n 2p "$f")"
grep -qx 'From alice with love' "$f" || fail "body quoted or lost: $(cat "$f")"

printf 'Subject: to carol\n\nhi carol\n' | inject joe@example.test carol@domain3.com
wait_queue_empty
[ "$(count "$ddir/carol/Maildir")" = 1 ] || fail "carol's ./Maildir/ line did not deliver; log: $(cat "$mta_log")"
[ "$(cat "$ddir/carol/program.ran" 2>/dev/null)" = "$ddir/carol" ] || fail "carol's program did not run in her directory"
[ "$(count "$ddir/alice/Maildir")" = 2 ] || fail "carol's forward did not reach alice; log: $(cat "$mta_log")"
grep -lx 'Subject: to carol' "$ddir"/alice/Maildir/new/* | xargs grep -qx 'Delivered-To: carol@domain3.com' ||
  fail "the forwarded copy lacks carol's Delivered-To line"

printf 'Subject: to nobody\n\nhello?\n' | inject joe@example.test nobody@domain3.com
wait_queue_empty
bounce_paragraph "$(home joe)/Mailbox" | grep -qx 'Sorry, no mailbox here by that name. (#5.1.1)' ||
  fail "no bounce with vpopmail's text: $(cat "$(home joe)/Mailbox" 2>/dev/null)"
bounces=$(grep -c '^Subject: failure notice' "$(home joe)/Mailbox")

action delete
printf 'Subject: to ghost\n\nboo\n' | inject joe@example.test ghost@domain3.com
wait_queue_empty
grep -Eq '^delivery [0-9]+: success: vdelivermail:_no_user_ghost@domain3\.com:_message_deleted/' "$mta_log" ||
  fail "no 'message deleted' success line; log: $(cat "$mta_log")"
[ "$(grep -c '^Subject: failure notice' "$(home joe)/Mailbox")" = "$bounces" ] || fail "delete bounced"

action alice@domain3.com
printf 'Subject: to ghost2\n\nboo\n' | inject joe@example.test ghost2@domain3.com
wait_queue_empty
[ "$(count "$ddir/alice/Maildir")" = 3 ] || fail "the catch-all address did not get ghost2's mail"

mkdir -p "$ddir/catchall"
action "$ddir/catchall"
printf 'Subject: to ghost3\n\nboo\n' | inject joe@example.test ghost3@domain3.com
wait_queue_empty
[ "$(count "$ddir/catchall/Maildir")" = 1 ] || fail "the catch-all directory did not get ghost3's mail; log: $(cat "$mta_log")"
[ "$(grep -c '^Subject: failure notice' "$(home joe)/Mailbox")" = "$bounces" ] || fail "a catch-all bounced"
stop_mta
echo ok
