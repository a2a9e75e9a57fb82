# setup_sandbox — qmail-setup builds a complete sandbox instance.
#
# The story: `qmail-setup DIR --sandbox --me mail.example.test` in an empty
# directory creates bin/ (a link for every built program), control/ as
# qmail's config-fast would write it, the queue tree of qmail's hier.c with
# its modes, the trigger fifo, the lock files, users/passwd with the caller's
# uid, the sandbox marker and the alias home with its Maildir. Running it
# again changes nothing that exists (an edited control file survives), and a
# bad command line exits 100.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"

new_instance mail.example.test
q=$dir/queue

mode() { stat -c %a "$1"; }
expect_mode() {  # expect_mode PATH MODE
  [ -e "$1" ] || [ -p "$1" ] || fail "$1 missing"
  [ "$(mode "$1")" = "$2" ] || fail "$1 has mode $(mode "$1"), want $2"
}

# bin/: every program next to qmail-setup, as a link to it.
for prog in "$LETTERSHOP_BIN"/*; do
  [ -f "$prog" ] && [ -x "$prog" ] || continue
  name=$(basename "$prog")
  [ -L "$dir/bin/$name" ] || fail "bin/$name is not a link"
  [ "$(readlink -f "$dir/bin/$name")" = "$(readlink -f "$prog")" ] || fail "bin/$name points elsewhere"
done
[ -L "$dir/bin/qmail-setup" ] || fail "bin/qmail-setup missing"

# control/: config-fast's files.
[ "$(cat "$dir/control/me")" = mail.example.test ] || fail "control/me"
[ "$(cat "$dir/control/defaultdomain")" = example.test ] || fail "control/defaultdomain"
[ "$(cat "$dir/control/plusdomain")" = example.test ] || fail "control/plusdomain"
grep -qx mail.example.test "$dir/control/locals" || fail "locals lacks me"
grep -qx localhost "$dir/control/locals" || fail "locals lacks localhost"
[ "$(cat "$dir/control/rcpthosts")" = mail.example.test ] || fail "control/rcpthosts"

# queue/: layout and modes of reference 2.1.
expect_mode "$q" 750
for d in pid:700 intd:700 todo:750 bounce:700 lock:750 mess:750 info:700 local:700 remote:700; do
  expect_mode "$q/${d%%:*}" "${d#*:}"
done
for d in mess:750 info:700 local:700 remote:700; do
  n=0
  while [ $n -lt 23 ]; do expect_mode "$q/${d%%:*}/$n" "${d#*:}"; n=$((n + 1)); done
  [ ! -e "$q/${d%%:*}/23" ] || fail "$d has a 24th split directory"
done
[ -p "$q/lock/trigger" ] || fail "lock/trigger is not a fifo"
expect_mode "$q/lock/trigger" 622
expect_mode "$q/lock/sendmutex" 600
[ ! -s "$q/lock/sendmutex" ] || fail "sendmutex not empty"
expect_mode "$q/lock/tcpto" 644
[ "$(stat -c %s "$q/lock/tcpto")" = 1024 ] || fail "tcpto is not 1024 bytes"
[ "$(tr -d '\000' <"$q/lock/tcpto" | wc -c)" = 0 ] || fail "tcpto is not all zero bytes"

# sandbox: the marker, users/passwd with our uid, no users/assign.
[ -f "$dir/sandbox" ] || fail "sandbox marker missing"
grep -q '^#' "$dir/sandbox" || fail "sandbox marker has no comment line"
[ ! -e "$dir/users/assign" ] || fail "users/assign should be absent"
uid=$(id -u)
awk -F: -v uid="$uid" -v home="$dir/alias" '
  $1 == "alias" && $3 == uid && $6 == home { found = 1 }
  $3 != uid { bad = 1 }
  END { exit !(found && !bad) }' "$dir/users/passwd" || fail "users/passwd: $(cat "$dir/users/passwd")"

# alias/: the catch-all home with its Maildir and the three dot-qmail files.
expect_mode "$dir/alias" 755
for f in postmaster mailer-daemon root; do
  [ "$(cat "$dir/alias/.qmail-$f")" = ./Maildir/ ] || fail "alias/.qmail-$f"
done
for d in tmp new cur; do [ -d "$dir/alias/Maildir/$d" ] || fail "alias/Maildir/$d missing"; done

# Idempotent: an edited control file and a queued file survive a second run.
echo other.example.test >"$dir/control/me"
: >"$q/todo/12345"
before=$(cd "$dir" && find . -path ./control/me -prune -o -print | sort | md5sum)
"$LETTERSHOP_BIN/qmail-setup" "$dir" --sandbox --me=mail.example.test >"$dir/.second" ||
  fail "second run failed"
after=$(cd "$dir" && find . -path ./control/me -prune -o -print | grep -v '^\./\.second$' | sort | md5sum)
[ "$before" = "$after" ] || fail "second run changed the tree"
[ "$(cat "$dir/control/me")" = other.example.test ] || fail "second run overwrote control/me"
[ -e "$q/todo/12345" ] || fail "second run removed a queue file"
grep -q 'kept existing me' "$dir/.second" || fail "second run does not say it kept me: $(cat "$dir/.second")"
rm "$q/todo/12345" "$dir/.second"

# Modes are restored by a re-run.
chmod 777 "$q/todo"
"$LETTERSHOP_BIN/qmail-setup" "$dir" --sandbox --me mail.example.test >/dev/null || fail "third run failed"
expect_mode "$q/todo" 750

# --me with fewer dots: defaultdomain and plusdomain stay the name itself.
other=$dir/short
"$LETTERSHOP_BIN/qmail-setup" "$other" --sandbox --me example.test >/dev/null || fail "setup short"
[ "$(cat "$other/control/defaultdomain")" = example.test ] || fail "short defaultdomain"
[ "$(cat "$other/control/plusdomain")" = example.test ] || fail "short plusdomain"

# Usage errors exit 100 and create nothing.
set +e
"$LETTERSHOP_BIN/qmail-setup" 2>/dev/null; rc1=$?
"$LETTERSHOP_BIN/qmail-setup" "$dir/bad" --sandbox --me 'bad name' 2>/dev/null; rc2=$?
"$LETTERSHOP_BIN/qmail-setup" "$dir/bad" --sandbox --bogus 2>/dev/null; rc3=$?
set -e
[ "$rc1" = 100 ] && [ "$rc2" = 100 ] && [ "$rc3" = 100 ] || fail "usage exits: $rc1 $rc2 $rc3"
[ ! -e "$dir/bad" ] || fail "a usage error created the instance"
# A path that cannot be created is a temporary failure.
: >"$dir/file"
"$LETTERSHOP_BIN/qmail-setup" "$dir/file/x" --sandbox --me x.test 2>/dev/null && fail "setup under a file succeeded"
"$LETTERSHOP_BIN/qmail-setup" "$dir/file/x" --sandbox --me x.test 2>/dev/null || [ $? = 111 ] || fail "not 111"
exit 0
