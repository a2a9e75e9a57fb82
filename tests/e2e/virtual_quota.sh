#!/bin/bash
# Over quota defers and warns; freeing space lets the message through.
#
# bob@domain1.com's Maildir has a maildirsize of "200S" (200 bytes). A
# message bigger than what is left is refused by virtmaildelivery with
# "Sorry, the mailbox of bob@domain1.com is over quota. (#4.2.2)": exit 111,
# a deferral, the message stays in the queue, and one warning message lands
# in the Maildir. After the quota is raised and the queue is run again, the
# message is delivered and counted in maildirsize.
. "$LETTERSHOP_SRC/tests/e2e/lib/virtual.sh"
virtual_instance
bob=$(virtual_user domain1.com bob)
mkdir -p "$bob/Maildir/new" "$bob/Maildir/cur" "$bob/Maildir/tmp"
printf '200S\n0 0\n' >"$bob/Maildir/maildirsize"
[ "$(id -u)" != 0 ] || chown -R "$vuid:$vgid" "$bob/Maildir"
start_mta ./Mailbox

printf 'Subject: big\n\n%s\n' "$(head -c 300 /dev/zero | tr '\0' x)" | inject joe@example.test bob@domain1.com
wait_log '^delivery [0-9]+: deferral: '
grep -Eq '^delivery [0-9]+: deferral: virtmaildelivery:_fatal:_Sorry,_the_mailbox_of_bob@domain1\.com_is_over_quota\._\(#4\.2\.2\)/$' \
  "$mta_log" || fail "no over-quota deferral; log: $(cat "$mta_log")"
[ "$(queue_counts)" = "1 0" ] || fail "the message left the queue: $(queue_counts)"
files=$(maildir_files "$bob/Maildir")
[ "$(echo "$files" | grep -c .)" = 1 ] || fail "want exactly the warning in new/, got: $files"
grep -qx 'Subject: Your mailbox is over quota' $files || fail "not a quota warning: $(cat $files)"
grep -qx 'To: <bob@domain1.com>' $files || fail "warning not addressed to bob: $(cat $files)"
[ -e "$bob/Maildir/quotawarn" ] || fail "no quotawarn stamp"

# More room: the next attempt delivers.
printf '100000S\n0 0\n' >"$bob/Maildir/maildirsize"
run_queue
wait_queue_empty
[ "$(maildir_files "$bob/Maildir" | wc -l)" = 2 ] || fail "not delivered after the quota was raised"
grep -Eq '^[0-9]+ 1$' <(sed -n 3p "$bob/Maildir/maildirsize") || fail "delivery not counted: $(cat "$bob/Maildir/maildirsize")"
stop_mta
echo ok
