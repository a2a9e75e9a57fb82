#!/bin/bash
# The TCP timeout table queue/lock/tcpto (qmail's format): a host whose
# connects time out (a listener whose backlog is full drops new SYNs) is
# recorded and qmail-tcpto lists it; an entry with two recent timeouts makes
# qmail-remote skip the address without connecting; qmail-tcpok clears the
# table and the next attempt is delivered.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
new_instance
w=$dir/w
mkdir -p "$w"
printf 'Subject: t\n\nx\n' >"$w/msg"
tcpto=$QMAILHOME/queue/lock/tcpto
echo 1 >"$QMAILHOME/control/timeoutconnect"

# A listener that never accepts, its backlog filled by connections of its own.
"$PY" - "$w/hole" <<'PY' &
import socket, sys, time, os
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
fill = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(s.getsockname())
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.3)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
PY
hole_pid=$!
on_exit "kill $hole_pid 2>/dev/null"
for i in $(seq 50); do [ -s "$w/hole" ] && break; sleep 0.1; done
echo "example.net:127.0.0.1:$(cat "$w/hole")" >"$QMAILHOME/control/smtproutes"
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q "^ZSorry, I wasn't able to establish an SMTP connection. (#4.4.1)" "$w/reports" ||
  fail "timeout: $(cat "$w/reports")"
[ "$(stat -c %s "$tcpto")" = 1024 ] || fail "tcpto is not 1024 bytes"
"$LETTERSHOP_BIN/qmail-tcpto" >"$w/list" || fail "qmail-tcpto exited $?"
grep -Eq '^127\.0\.0\.1 timed out [0-9]+ seconds ago; # recent timeouts: 1$' "$w/list" || fail "list: $(cat "$w/list")"

# Two recent timeouts: the address is skipped, the sink sees nothing.
route_to_sink sink
"$PY" -c '
import struct, sys, time
rec = bytes([127, 0, 0, 1, 2, 0, 0, 0]) + struct.pack("<I", int(time.time()) - 5) + bytes(4)
open(sys.argv[1], "wb").write(rec + bytes(1024 - 16))' "$tcpto"
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q "^ZSorry, I wasn't able to establish" "$w/reports" || fail "down host not skipped: $(cat "$w/reports")"
[ -z "$(sink_files)" ] || fail "connected to a host marked down"
[ ! -s "$sink_dir/commands.log" ] || fail "the sink saw commands"

"$LETTERSHOP_BIN/qmail-tcpok" || fail "qmail-tcpok exited $?"
[ "$(stat -c %s "$tcpto")" = 1024 ] || fail "tcpok did not leave 1024 bytes"
[ -z "$(tr -d '\0' <"$tcpto")" ] || fail "tcpok left non-zero bytes"
[ -z "$("$LETTERSHOP_BIN/qmail-tcpto")" ] || fail "qmail-tcpto lists entries after tcpok"
remote example.net a@example.test joe@example.net <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "after tcpok: $(cat "$w/reports")"
echo ok
