#!/bin/bash
# e2e: ezmlm-archive builds archive/threads, subjects, authors and archnum
# from the subject index (ezmlm-idx test 290; reference ezmlm.md 1.2).
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
ez ezmlm-sub "$d" sub@example.org
fake_qmail_queue

# Without num: exit 100 and nothing created.
rm -f "$d/num"
rc=0; ez ezmlm-archive "$d" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "no num: exit $rc"
grep -q '^ezmlm-archive: fatal: the archive has no messages' "$w/err" || fail "no num: $(cat "$w/err")"
for f in archive/threads archive/subjects archive/authors archive/lock archnum; do
  [ ! -e "$d/$f" ] || fail "$f created without num"
done

post() {  # post DAY FROM SUBJECT
  printf 'Received: by x; %s Nov 2026 12:00:00 -0000\nFrom: %s\nSubject: %s\n\nbody\n' "$1" "$2" "$3" |
    SENDER=poster@example.org ez ezmlm-send "$d" 2>/dev/null || fail "post $3"
}
post 01 '"Ann" <ann@example.com>' 'topic one'
post 02 '"Bob" <bob@example.com>' 'Re: topic one'
post 03 '"Ann" <ann@example.com>' 'topic two'
rc=0; ez ezmlm-archive "$d" 2>"$w/err" || rc=$?
[ $rc = 0 ] || fail "ezmlm-archive: exit $rc $(cat "$w/err")"
for f in archive/threads archive/subjects archive/authors archive/lock; do [ -e "$d/$f" ] || fail "no $f"; done
[ "$(cat "$d/archnum")" = 3 ] || fail "archnum $(cat "$d/archnum")"
# The hashes are the index's.
h1=$(sed -n 's/^1: \([a-p]*\) .*/\1/p' "$d/archive/0/index")
h3=$(sed -n 's/^3: \([a-p]*\) .*/\1/p' "$d/archive/0/index")
ann=$(sed -n '2s/^.*;\([a-p]*\) .*/\1/p' "$d/archive/0/index")
bob=$(sed -n '4s/^.*;\([a-p]*\) .*/\1/p' "$d/archive/0/index")
[ ${#h1} = 20 ] && [ ${#ann} = 20 ] || fail "index: $(cat "$d/archive/0/index")"
printf '2:%s [2] topic one\n3:%s [1] topic two\n' "$h1" "$h3" | diff - "$d/archive/threads/202611" || fail "threads"
sf=$d/archive/subjects/${h1:0:2}/${h1:2}
printf '%s topic one\n1:202611:%s Ann\n2:202611:%s Bob\n' "$h1" "$ann" "$bob" | diff - "$sf" || fail "subject file"
af=$d/archive/authors/${ann:0:2}/${ann:2}
printf '%s Ann\n1:202611:%s topic one\n3:202611:%s topic two\n' "$ann" "$h1" "$h3" | diff - "$af" || fail "author file"

# Incremental: message 4 continues thread one; only it is read.
post 04 '"Cy" <cy@example.com>' 'Re: topic one'
cp "$af" "$w/ann.before"
ez ezmlm-archive "$d"
[ "$(cat "$d/archnum")" = 4 ] || fail "archnum after 4"
printf '3:%s [1] topic two\n4:%s [3] Re: topic one\n' "$h3" "$h1" | diff - "$d/archive/threads/202611" || fail "threads after 4"
[ "$(tail -1 "$sf" | cut -d: -f1-2)" = 4:202611 ] || fail "subject file after 4: $(cat "$sf")"
[ "$(grep -c '' "$sf")" = 4 ] || fail "subject file lines: $(cat "$sf")"
diff "$w/ann.before" "$af" || fail "untouched author file changed"
# Nothing new: exit 0, nothing changes.
cp -a "$d/archive" "$w/archive.before"
ez ezmlm-archive "$d"
diff -r "$w/archive.before" "$d/archive" || fail "idle run changed files"
# -c rebuilds from the start; the result is the same files except the
# thread counts, which a rebuild makes again from scratch.
rm -r "$d/archive/threads" "$d/archive/subjects" "$d/archive/authors" "$d/archnum"
ez ezmlm-archive -c "$d"
printf '4:%s [3] topic one\n3:%s [1] topic two\n' "$h1" "$h3" | diff - "$d/archive/threads/202611" || fail "threads after -c"
diff "$w/archive.before/subjects" "$d/archive/subjects" -r || fail "subjects after -c"
# -t stops early; archnum says where.
ez ezmlm-archive -c -t 2 "$d"; [ "$(cat "$d/archnum")" = 2 ] || fail "-t 2"
# A damaged index line is skipped with a warning (exit 99), the rest indexed.
printf '5: not-a-hash bad\n\tx;y\n' >>"$d/archive/0/index"
echo 5:5 >"$d/num"
rc=0; ez ezmlm-archive "$d" 2>"$w/err" || rc=$?
[ $rc = 99 ] || fail "damaged index: exit $rc"
grep -q '^ezmlm-archive: warning: ' "$w/err" || fail "no warning: $(cat "$w/err")"
[ "$(cat "$d/archnum")" = 5 ] || fail "archnum after damaged run"
# Usage.
rc=0; ez ezmlm-archive 2>/dev/null || rc=$?; [ $rc = 100 ] || fail "no dir: exit $rc"
rc=0; ez ezmlm-archive -f x "$d" 2>/dev/null || rc=$?; [ $rc = 100 ] || fail "-f x: exit $rc"
rc=0; ez ezmlm-archive -x "$d" 2>/dev/null || rc=$?; [ $rc = 100 ] || fail "-x: exit $rc"
ez ezmlm-archive -V 2>"$w/err" || fail "-V exit"
grep -q 'ezmlm-idx-7.2' "$w/err" || fail "-V text"
echo OK
