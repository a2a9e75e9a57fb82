#!/bin/bash
# e2e: ezmlm-send when the queue program fails before it has read the post
# (it exits at once; the post is larger than a pipe buffer, so the write
# fails and the subscribers are never asked): the right exit code, and num,
# the index and the archive exactly as before. num, the archive file and
# indexn are written on threads while the queue runs; this checks that a
# failure puts them back only after those threads are done.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
touch "$d/rewritefrom"  # no DNS in this test
ez ezmlm-sub "$d" sub1@example.org sub2@example.org
SENDER=poster@example.org
export SENDER

# One post that works, so that there is an index to keep.
fake_qmail_queue
printf 'From: poster@example.org\nSubject: first\n\nbody\n' | ez ezmlm-send "$d" 2>"$w/err" ||
  fail "first post: $(cat "$w/err")"
num=$(cat "$d/num")
index=$(cat "$d/archive/0/index")

{ printf 'From: poster@example.org\nSubject: big\n\n'
  awk 'BEGIN { for (i = 0; i < 4000; i++) printf "line %05d of a post larger than a pipe buffer\n", i }'; } >"$w/in"
cat >"$ez/qq-quit" <<'SCRIPT'
#!/bin/sh
exit "$QQ_EXIT"
SCRIPT
chmod +x "$ez/qq-quit"
QMAILQUEUE=$ez/qq-quit
export QMAILQUEUE

# Rows: the queue program's exit, ezmlm-send's expected exit.
while read -r qq want; do
  for round in 1 2 3 4 5; do
    rc=0
    QQ_EXIT=$qq ez ezmlm-send "$d" <"$w/in" 2>"$w/err" || rc=$?
    [ "$rc" = "$want" ] || fail "qq exit $qq, round $round: exit $rc, want $want: $(cat "$w/err")"
    [ "$(cat "$d/num")" = "$num" ] || fail "qq exit $qq, round $round: num is $(cat "$d/num"), was $num"
    [ "$(cat "$d/archive/0/index")" = "$index" ] || fail "qq exit $qq, round $round: the index changed"
    [ "$(ls "$d/archive/0")" = "$(printf '01\nindex')" ] ||
      fail "qq exit $qq, round $round: archive/0 holds $(ls "$d/archive/0" | tr '\n' ' ')"
    [ ! -e "$d/numnew" ] || fail "qq exit $qq, round $round: numnew left behind"
  done
done <<'ROWS'
71 111
31 100
ROWS
echo "ezmlm_send_fail: ok"
