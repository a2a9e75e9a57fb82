#!/bin/bash
# e2e: ezmlm-gate and ezmlm-limit (ezmlm-idx test 180; reference ezmlm.md
# 3.2). ezmlm-gate's children are recording stubs in EZMLM_BIN (argv and
# the message they read), so the test sees exactly what goes to which
# program: subscribers' posts to ezmlm-send, others' to ezmlm-store, the
# owner's -q queries deciding first; then with the real ezmlm-send and
# ezmlm-store (a moderation request to the moderator).
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
for p in ezmlm-gate ezmlm-limit ezmlm-sub ezmlm-send; do
  [ -x "$LETTERSHOP_BIN/$p" ] || fail "$p is not built"
done
ezmlm_env
archived_list
ez ezmlm-sub "$d" sub@example.org
ez ezmlm-sub "$d" mod mod@example.org
stubs=$ez/stubs
mkdir -p "$stubs"
for p in ezmlm-send ezmlm-store; do
  cat >"$stubs/$p" <<STUB
#!/bin/sh
echo "$p \$*" >"$ez/child.argv"
cat >"$ez/child.msg"
exit \${STUB_EXIT:-0}
STUB
  chmod +x "$stubs/$p"
done
printf 'From: x@example.org\nSubject: a post\n\nbody line\n' >"$w/in"

gate() {  # gate ARGS... — runs ezmlm-gate with the stubs, sets rc
  rm -f "$ez/child.argv" "$ez/child.msg"
  set +e
  EZMLM_BIN=$stubs ez ezmlm-gate "$@" <"$w/in" 2>"$w/err"
  rc=$?
  set -e
}
expect_child() {  # expect_child "ARGV"
  [ "$rc" = 0 ] || fail "exit $rc: $(cat "$w/err")"
  [ "$(cat "$ez/child.argv")" = "$1" ] || fail "child: $(cat "$ez/child.argv"), want $1"
  cmp -s "$w/in" "$ez/child.msg" || fail "the child got another message: $(cat "$ez/child.msg")"
}

# 180: non-subscriber -> store; subscriber -> send; explicit dbs.
SENDER=stranger@example.org gate "$d" . digest allow mod
expect_child "ezmlm-store $d"
SENDER=sub@example.org gate -c -m -Q -y "$d" . digest allow mod
expect_child "ezmlm-send -c -Q $d"
SENDER=sub@example.org gate -c -m -Q -y "$d" mod
expect_child "ezmlm-store -c -m -y $d"
SENDER=mod@example.org gate "$d" mod
expect_child "ezmlm-send $d"
# No db arguments, no SENDER, or a bounce sender: moderation.
SENDER=sub@example.org gate "$d"
expect_child "ezmlm-store $d"
(unset SENDER; gate "$d" .; expect_child "ezmlm-store $d")
SENDER= gate "$d" .
expect_child "ezmlm-store $d"
# An SRS-wrapped subscriber is still a subscriber.
SENDER=SRS0=HHH=TT=example.org=sub@fwd.test gate "$d" .
expect_child "ezmlm-send $d"
# An absolute db outside DIR is an error, and nothing runs.
SENDER=sub@example.org gate "$d" /tmp
[ "$rc" = 111 ] && [ ! -e "$ez/child.argv" ] || fail "db outside DIR: exit $rc"
# A message from a pipe is rewound for the child as well.
rm -f "$ez/child.argv" "$ez/child.msg"
cat "$w/in" | SENDER=sub@example.org EZMLM_BIN=$stubs ez ezmlm-gate "$d" . 2>"$w/err" || fail "pipe: $(cat "$w/err")"
rc=0
expect_child "ezmlm-send $d"
# The child's exit: 100 stays 100, anything else but 0 is 111.
STUB_EXIT=100 SENDER=sub@example.org gate "$d" .
[ "$rc" = 100 ] || fail "child 100 -> $rc"
STUB_EXIT=99 SENDER=sub@example.org gate "$d" .
[ "$rc" = 111 ] || fail "child 99 -> $rc"
# -0 prints the command instead of running it.
SENDER=sub@example.org gate -0 -r "$d" .
[ "$rc" = 0 ] && [ ! -e "$ez/child.argv" ] || fail "-0 ran the child"
[ "$(cat "$w/err")" = "$stubs/ezmlm-send -r $d" ] || fail "-0 printed: $(cat "$w/err")"

# -q: the owner's queries, run in DIR with the message on stdin.
cat >"$d/gatequery" <<'Q'
# the owner's rules
|grep -q '^Subject: a post' || exit 100
test -f ./outlocal
Q
SENDER=stranger@example.org gate -q gatequery "$d"
expect_child "ezmlm-send $d"             # every line 0, no dbs: post
SENDER=stranger@example.org gate -q gatequery "$d" .
expect_child "ezmlm-store $d"            # every line 0, dbs decide
printf 'exit 99\nexit 100\n' >"$d/gatequery"
SENDER=stranger@example.org gate -q gatequery "$d" .
expect_child "ezmlm-send $d"             # 99: post at once
printf 'exit 0\nexit 100\nexit 99\n' >"$d/gatequery"
SENDER=sub@example.org gate -q gatequery "$d" .
expect_child "ezmlm-store $d"            # 100: moderate, even a subscriber
printf 'exit 111\n' >"$d/gatequery"
SENDER=sub@example.org gate -q gatequery "$d" .
[ "$rc" = 111 ] && [ ! -e "$ez/child.argv" ] || fail "query 111: exit $rc"
# A missing query file defers; it never posts.
SENDER=stranger@example.org gate -q nosuchfile "$d"
[ "$rc" = 111 ] && [ ! -e "$ez/child.argv" ] || fail "missing query file: exit $rc"
SENDER=stranger@example.org gate -q "$d/nosuchfile" "$d"
[ "$rc" = 111 ] && [ ! -e "$ez/child.argv" ] || fail "missing absolute query file: exit $rc"
printf 'cat >"%s/query.msg"\n' "$ez" >"$d/gatequery"
SENDER=stranger@example.org gate -q "$d/gatequery" "$d"
expect_child "ezmlm-send $d"
cmp -s "$w/in" "$ez/query.msg" || fail "the query did not read the message"

# With the real programs: a subscriber's post through ezmlm-gate reaches
# ezmlm-send, which queues it to the subscribers (fake qmail-queue).
fake_qmail_queue
SENDER=sub@example.org ez ezmlm-gate "$d" . 2>"$w/err" <"$w/in" || fail "real gate: $(cat "$w/err")"
grep -Eq '^ezmlm-send: info: qp [0-9]+$' "$w/err" || fail "no ezmlm-send qp line: $(cat "$w/err")"
grep -q 'Tsub@example.org|' <(envelope_text "$ez/qq.env") || fail "envelope: $(envelope_text "$ez/qq.env")"
[ "$(cut -d: -f1 "$d/num")" = 1 ] || fail "num: $(cat "$d/num")"

# ... and a stranger's post on a moderated list reaches the real
# ezmlm-store: queued in mod/pending, a moderation request to the moderator.
touch "$d/modpost"
mkdir -p "$d/mod/pending" "$d/mod/accepted" "$d/mod/rejected" "$d/mod/unconfirmed"  # as ezmlm-make does
rm -f "$ez/qq.env" "$ez/qq.msg"
SENDER=stranger@example.org ez ezmlm-gate "$d" . 2>"$w/err" <"$w/in" || fail "real gate to store: $(cat "$w/err")"
[ "$(ls "$d/mod/pending" | wc -l)" = 1 ] || fail "mod/pending: $(ls "$d/mod/pending"); $(cat "$w/err")"
grep -q 'Tmod@example.org|' <(envelope_text "$ez/qq.env") || fail "moderation request envelope: $(envelope_text "$ez/qq.env")"
grep -q 'Tsub@example.org' <(envelope_text "$ez/qq.env") && fail "the stranger's post went to the subscribers"
[ "$(cut -d: -f1 "$d/num")" = 1 ] || fail "num moved: $(cat "$d/num")"
rm "$d/modpost"

# ezmlm-limit: counting starts, then too many posts make the list moderated.
set +e
ez ezmlm-limit "$d" extra 2>/dev/null; [ $? = 100 ] || fail "operand after DIR accepted"
ez ezmlm-limit -n x "$d" 2>/dev/null; [ $? = 100 ] || fail "-n x accepted"
set -e
ez ezmlm-limit -n 3 "$d" || fail "first limit run"
grep -Eq '^1:[0-9]+$' "$d/loopnum" || fail "loopnum: $(cat "$d/loopnum")"
echo 3:0 >"$d/num"
ez ezmlm-limit -n 3 "$d" || fail "second run"
[ ! -e "$d/modpost" ] || fail "moderated too early"
set +e
echo 4:0 >"$d/num"
ez ezmlm-limit -d -n 3 "$d" 2>"$w/err"; rc=$?
set -e
[ "$rc" = 111 ] && [ ! -e "$d/modpost" ] || fail "-d: exit $rc"
grep -q 'deferring' "$w/err" || fail "-d text: $(cat "$w/err")"
ez ezmlm-limit -n 3 "$d" 2>"$w/err" || fail "excess run: $(cat "$w/err")"
[ -e "$d/modpost" ] && [ ! -e "$d/loopnum" ] || fail "modpost not created / loopnum kept"
grep -q 'moderated' "$w/err" || fail "excess text: $(cat "$w/err")"
ez ezmlm-limit -n 3 "$d" || fail "moderated list"
[ ! -e "$d/loopnum" ] || fail "a moderated list counts again"
# An old counter starts again; -f names another counter file.
rm "$d/modpost"
echo "1:$(( $(date +%s) - 7200 ))" >"$d/loopnum"
ez ezmlm-limit -n 3 "$d" || fail "old counter"
[ ! -e "$d/modpost" ] && grep -q '^4:' "$d/loopnum" || fail "old counter not restarted: $(cat "$d/loopnum")"
ez ezmlm-limit -f counter -t 10 "$d" || fail "-f"
grep -q '^4:' "$d/counter" || fail "-f counter: $(ls "$d")"
echo ok
