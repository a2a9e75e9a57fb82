#!/bin/bash
# e2e: the database dies in the middle of ezmlm-send's fan-out (issue 9).
# 30,000 subscribers in MariaDB, a fake qmail-queue that reads the
# envelope slowly and signals when the recipients start to arrive; the
# server is SIGKILLed then. ezmlm-send must exit 111 (deferred), the queue
# program must have seen a short envelope (nothing queued), and the list
# must not count the post. With the server back, the same post goes out
# once, to every subscriber exactly once.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/mariadb.sh"
ezmlm_env
archived_list
sql_store "$d"
n=30000
/usr/bin/python3 -c "
for i in range($n): print(f'user{i:05d}@host{i % 101}.example')" >"$w/subs"
ez ezmlm-sub "$d" <"$w/subs"
[ "$(ez ezmlm-list -n "$d")" = $n ] || fail "import: $(ez ezmlm-list -n "$d")"

# The queue program: message from fd 0, then the envelope from fd 1 in
# small slow reads. A complete envelope (ends in two NULs) is "queued"
# (appended to $ez/queued, exit 0); a short one is refused with 54 as
# qmail-queue does.
cat >"$ez/slow-qq" <<SCRIPT
#!/usr/bin/python3
import os, sys, time
msg = sys.stdin.buffer.read()
open("$ez/qq.started", "w").close()
env = b""
while True:
    chunk = os.read(1, 8192)
    if not chunk:
        break
    env += chunk
    time.sleep(0.01)
open("$ez/qq.env", "wb").write(env)
if not env.endswith(b"\0\0"):
    sys.exit(54)
with open("$ez/queued", "ab") as f:
    f.write(env + b"\n--\n")
sys.exit(0)
SCRIPT
chmod +x "$ez/slow-qq"
QMAILQUEUE=$ez/slow-qq
export QMAILQUEUE
SENDER=poster@example.org
export SENDER
printf 'From: poster@example.org\nTo: list@example.test\nSubject: fan-out\n\nhello\n' >"$w/post"

rm -f "$ez/qq.started"
rc=0
ez ezmlm-send "$d" <"$w/post" 2>"$w/err" &
send=$!
for i in $(seq 1 400); do
  [ -e "$ez/qq.started" ] && break
  sleep 0.025
done
[ -e "$ez/qq.started" ] || fail "the queue program never started"
sleep 0.05
kill_mariadb
wait $send || rc=$?
[ $rc = 111 ] || fail "ezmlm-send with the database killed: exit $rc, want 111 ($(cat "$w/err"))"
grep -q "fatal: SQL: " "$w/err" || fail "stderr: $(cat "$w/err")"
[ ! -e "$ez/queued" ] || fail "a message was queued although the fan-out failed"
got=$(tr -cd '\0' <"$ez/qq.env" | wc -c)
[ "$got" -lt $((n + 1)) ] || fail "the envelope was complete ($got records) before the kill"
[ ! -e "$d/num" ] || [ "$(cut -d: -f1 "$d/num")" = 0 ] || fail "num counted the deferred post: $(cat "$d/num")"
[ -z "$(find "$d/archive" -type f)" ] || fail "the deferred post was archived: $(find "$d/archive" -type f)"

# The retry, with the database back.
restart_mariadb
ez ezmlm-send "$d" <"$w/post" 2>"$w/err" || fail "ezmlm-send after restart: $(cat "$w/err")"
[ "$(grep -c '^--$' "$ez/queued")" = 1 ] || fail "queued $(grep -c '^--$' "$ez/queued") times"
tr '\0' '\n' <"$ez/qq.env" | sed -n 's/^T//p' | sort >"$w/rcpts"
sort "$w/subs" >"$w/want"
[ "$(wc -l <"$w/rcpts")" = $n ] || fail "$(wc -l <"$w/rcpts") recipients, want $n"
cmp -s "$w/rcpts" "$w/want" || fail "recipients differ from the subscribers: $(diff "$w/want" "$w/rcpts" | head -5)"
[ "$(cut -d: -f1 "$d/num")" = 1 ] || fail "num after the retry: $(cat "$d/num")"

echo ok
