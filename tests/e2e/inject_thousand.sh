# inject_thousand — 1,000 messages through qmail-inject and 100 through
# `sendmail -t` land in the queue, consistent and all listed by qmail-qread.
#
# The story: in a fresh sandbox, message i goes in as
#   qmail-inject -f s<i>@example.org r<i>@example.test
# and message j as `sendmail -t -f f<j>@example.org` with To: t<j>@... and
# Cc: c<j>@... in its header. Then, for every message, the queue is
# consistent (reference mta.md 2.1-2.3): todo/<id> and intd/<id> are one
# inode, mess/<id%23>/<id> exists with inode <id>, the envelope is
# u<uid>\0p<pid>\0F<sender>\0 followed by T<rcpt>\0 records; nothing is
# left in pid/. qmail-qstat says 1100 and 1100, and qmail-qread lists all
# 1,100 messages, each with its own sender and recipients.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
Q=$dir/queue
work=$dir/work
mkdir "$work"
inject=$dir/bin/qmail-inject
sendmail=$dir/bin/sendmail
[ -x "$inject" ] && [ -x "$sendmail" ] || fail "qmail-inject or sendmail is not built"

# Two injectors at a time (the machine has two cores); each checks its exits.
inject_range() {  # inject_range FIRST LAST
  i=$1
  while [ "$i" -le "$2" ]; do
    printf 'Subject: message %s\n\nbody %s\n' "$i" "$i" |
      "$inject" -f "s$i@example.org" "r$i@example.test" || { echo "qmail-inject #$i exited $?"; return 1; }
    i=$((i + 1))
  done
}
inject_range 1 500 >"$work/inj1" 2>&1 &
p1=$!
inject_range 501 1000 >"$work/inj2" 2>&1 || fail "$(cat "$work/inj2")"
wait "$p1" || fail "$(cat "$work/inj1")"

j=1
while [ $j -le 100 ]; do
  printf 'From: f%s@example.org\nTo: t%s@example.test\nCc: c%s@example.test\nSubject: sendmail %s\n\nbody\n' \
    "$j" "$j" "$j" "$j" | "$sendmail" -t -f "f$j@example.org" || fail "sendmail -t #$j exited $?"
  j=$((j + 1))
done

# The queue: 1,100 consistent triples, nothing half-made.
[ "$(ls "$Q/todo" | wc -l)" = 1100 ] || fail "todo/ holds $(ls "$Q/todo" | wc -l) messages, want 1100"
[ -z "$(ls "$Q/pid")" ] || fail "pid/ is not empty"
(cd "$Q" && stat -c '%i %n' todo/* intd/*) | awk '
  { split($2, p, "/"); ino[p[1], p[2]] = $1; ids[p[2]] = 1 }
  END {
    for (id in ids) {
      if (!(("todo", id) in ino) || !(("intd", id) in ino)) { print "todo/intd mismatch for " id; exit 1 }
      if (ino["todo", id] != ino["intd", id]) { print "todo/" id " and intd/" id " differ"; exit 1 }
    }
  }' >"$work/triples" || fail "$(cat "$work/triples")"
(cd "$Q/mess" && find . -type f -printf '%i %P\n') | awk '
  { split($2, p, "/"); if ($1 != p[2] || p[1] != p[2] % 23) { print "bad mess file " $2 " inode " $1; exit 1 }
    n++ }
  END { if (n != 1100) { print n " mess files, want 1100"; exit 1 } }' >"$work/mess" || fail "$(cat "$work/mess")"
for f in "$Q"/todo/*; do
  id=${f##*/}
  [ -f "$Q/mess/$((id % 23))/$id" ] || fail "todo/$id has no mess file"
done
# Envelopes: u, p, F, then at least one T; every record NUL-terminated.
perl -e '
  $/ = undef; my $uid = shift;
  for my $f (@ARGV) {
    open(my $h, "<", $f) or die "$f: $!"; my $d = <$h>;
    $d =~ /\Au\Q$uid\E\0p[0-9]+\0F[^\0]*\0(T[^\0]+\0)+\z/ or die "bad envelope in $f\n";
  }' "$(id -u)" "$Q"/todo/* 2>"$work/env" || fail "$(cat "$work/env")"

"$dir/bin/qmail-qstat" >"$work/qstat" || fail "qmail-qstat exited $?"
printf 'messages in queue: 1100\nmessages in queue but not yet preprocessed: 1100\n' | cmp -s - "$work/qstat" ||
  fail "qmail-qstat: $(cat "$work/qstat")"

# qmail-qread: every message with its own sender and recipients.
"$dir/bin/qmail-qread" >"$work/qread" 2>"$work/qread.err" || fail "qmail-qread exited $?"
[ ! -s "$work/qread.err" ] || fail "qmail-qread warned: $(head "$work/qread.err")"
awk '
  /^[^\t ]/ { if (match($0, /  <[^>]*> /)) sender = substr($0, RSTART + 3, RLENGTH - 5); n++; next }
  /^\ttodo\t/ { sub(/^\ttodo\t/, ""); print sender " " $0 }
  END { print n > "/dev/stderr" }' "$work/qread" 2>"$work/count" | sort >"$work/got"
[ "$(cat "$work/count")" = 1100 ] || fail "qmail-qread listed $(cat "$work/count") messages, want 1100"
{
  i=1; while [ $i -le 1000 ]; do echo "s$i@example.org r$i@example.test"; i=$((i + 1)); done
  j=1; while [ $j -le 100 ]; do
    echo "f$j@example.org t$j@example.test"; echo "f$j@example.org c$j@example.test"; j=$((j + 1))
  done
} | sort >"$work/want"
cmp -s "$work/want" "$work/got" || fail "qmail-qread senders/recipients differ: $(diff "$work/want" "$work/got" | head)"
# Sorted by message number.
grep -o '  #[0-9]*  ' "$work/qread" | tr -d ' #' >"$work/order"
sort -n -c "$work/order" || fail "qmail-qread output is not sorted by message number"
exit 0
