#!/bin/bash
# Bad input on the delivery side: clear errors, the right defer or bounce,
# nothing lost.
#
# 1. users/assign: a good file compiles (qmail-newu exits 0) and routes
#    boss@ to ~fred/.qmail-boss. Then each malformed variant (no final
#    newline, a NUL byte, a line without ':', ':' in the first column, too
#    few fields, no terminating '.') makes qmail-newu say
#    "qmail-newu: fatal: bad format in users/assign" and exit 111, and leaves
#    users/cdb byte for byte as it was; mail to boss@ still follows it.
# 2. A .qmail file with a NUL byte in its delivery line: the message is not
#    delivered to a truncated file name; it is deferred or bounced with a
#    text, never dropped.
# 3. A .qmail file whose first line is a 100 KB comment: read whole, the
#    next line delivers.
# 4. A .qmail file forwarding to a 100 KB address: qmail-queue refuses it,
#    and the message bounces with "Unable to forward message".
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
add_user joe
fred=$(home fred)
uid=$(id -u) gid=$(id -g)

# --- 1. users/assign
good="=boss:fred:$uid:$gid:$fred:-:boss:"
printf '%s\n.\n' "$good" >"$dir/users/assign"
out=$("$dir/bin/qmail-newu" 2>&1) || fail "qmail-newu on a good assign exited $?: $out"
[ -s "$dir/users/cdb" ] || fail "qmail-newu made no users/cdb"
cp "$dir/users/cdb" "$dir/cdb.good"

bad_assign() {
  local why=$1 rc=0
  "$dir/bin/qmail-newu" >"$dir/newu.out" 2>&1 || rc=$?
  [ "$rc" = 111 ] || fail "assign with $why: qmail-newu exited $rc, not 111: $(cat "$dir/newu.out")"
  # qmail's fatal line last (a warning naming the line may come first)
  [ "$(tail -n 1 "$dir/newu.out")" = 'qmail-newu: fatal: bad format in users/assign' ] ||
    fail "assign with $why: message: $(cat "$dir/newu.out")"
  cmp -s "$dir/users/cdb" "$dir/cdb.good" || fail "assign with $why: users/cdb changed"
  [ ! -e "$dir/users/cdb.tmp" ] || fail "assign with $why: users/cdb.tmp left behind"
}
printf '%s\n.' "$good" | head -c -2 >"$dir/users/assign"; bad_assign "no final newline"
printf '%s\n=jo\0e:fred:%s:%s:%s:::\n.\n' "$good" "$uid" "$gid" "$fred" >"$dir/users/assign"; bad_assign "a NUL byte"
printf '%s\n=nocolon\n.\n' "$good" >"$dir/users/assign"; bad_assign "a line without ':'"
printf '%s\n:fred:%s:%s:%s:::\n.\n' "$good" "$uid" "$gid" "$fred" >"$dir/users/assign"; bad_assign "':' in the first column"
printf '%s\n=short:fred:%s:%s:%s:\n.\n' "$good" "$uid" "$gid" "$fred" >"$dir/users/assign"; bad_assign "too few fields"
printf '%s\n' "$good" >"$dir/users/assign"; bad_assign "no final '.' line"

echo ./Bossmail >"$fred/.qmail-boss"

# --- 2. NUL byte; 3. 100 KB comment; 4. 100 KB address
printf './Nul\0mail\n' >"$fred/.qmail-nul"
{ printf '#'; head -c 102400 /dev/zero | tr '\0' 'c'; printf '\n./Longmail\n'; } >"$fred/.qmail-longcomment"
{ head -c 102400 /dev/zero | tr '\0' 'a'; printf '@example.test\n'; } >"$fred/.qmail-longaddr"

start_mta ./Mailbox
printf 'Subject: boss\n\nfor the boss\n' | enqueue joe@example.test boss@example.test
printf 'Subject: nul\n\nnul\n' | enqueue joe@example.test fred-nul@example.test
printf 'Subject: long comment\n\nlong comment\n' | enqueue joe@example.test fred-longcomment@example.test
printf 'Subject: long address\n\nlong address\n' | enqueue joe@example.test fred-longaddr@example.test

wait_log '^end msg [0-9]+$'
for rcpt in boss fred-nul fred-longcomment fred-longaddr; do
  wait_log "^starting delivery [0-9]+: msg [0-9]+ to local $rcpt@example\\.test\$"
done
# delivery number of the first attempt for RCPT
dnum() { sed -nE "s/^starting delivery ([0-9]+): msg [0-9]+ to local $1@example\\.test\$/\\1/p" "$mta_log" | head -n 1; }
for rcpt in boss fred-nul fred-longcomment fred-longaddr; do
  wait_log "^delivery $(dnum "$rcpt"): "
done

grep -qx "delivery $(dnum boss): success: did_1+0+0/" "$mta_log" || fail "boss@: $(cat "$mta_log")"
grep -qx 'for the boss' "$fred/Bossmail" || fail "boss@ did not reach ~fred/Bossmail"

grep -qx "delivery $(dnum fred-longcomment): success: did_1+0+0/" "$mta_log" || fail "long comment: $(cat "$mta_log")"
grep -qx 'long comment' "$fred/Longmail" || fail "fred-longcomment did not reach ~fred/Longmail"

# The NUL line: a failure or deferral with a text, never the file "Nul".
nul=$(grep -E "^delivery $(dnum fred-nul): " "$mta_log")
echo "$nul" | grep -Eq '^delivery [0-9]+: (failure|deferral): .{10,}' || fail "NUL in .qmail: $nul"
[ ! -e "$fred/Nul" ] || fail "NUL in .qmail: delivered to the truncated name ~fred/Nul"
[ ! -e "$fred/Mailbox" ] || fail "something reached ~fred/Mailbox"

long=$(grep -E "^delivery $(dnum fred-longaddr): " "$mta_log")
echo "$long" | grep -Eq '^delivery [0-9]+: failure: Unable_to_forward_message:' || fail "100 KB address: $long"

# Nothing lost: a deferred NUL message is still queued; bounces reached joe.
sleep 1
case $nul in
  *": deferral: "*) [ "$(queue_counts)" = "1 0" ] || fail "queue: $(queue_counts) (the deferred message should be there)"
                    want=1 ;;
  *) wait_queue_empty; want=2 ;;
esac
wait_log '^end msg'
for i in $(seq 1 100); do
  [ "$(grep -c '^Subject: failure notice$' "$(home joe)/Mailbox" 2>/dev/null)" -ge "$want" ] && break
  sleep 0.1
done
[ "$(grep -c '^Subject: failure notice$' "$(home joe)/Mailbox")" = "$want" ] || fail "joe has not exactly $want bounces"
grep -q '^<fred-longaddr@example.test>:$' "$(home joe)/Mailbox" || fail "no bounce paragraph for fred-longaddr"
stop_mta
echo ok
