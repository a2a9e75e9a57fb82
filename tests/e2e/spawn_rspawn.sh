#!/bin/bash
# spawn_rspawn — qmail-rspawn runs $QMAILREMOTE with "host sender
# recipient" and the message on stdin, and turns its NUL-separated reports
# into one report; it clears queue/lock/tcpto at start.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance

mkdir -p "$dir/queue/mess/0" "$dir/queue/lock"
printf 'Subject: x\n\nbody\n' > "$dir/queue/mess/0/23"
printf 'junkjunk' > "$dir/queue/lock/tcpto"
cat > "$dir/fake-remote" <<SH
#!/bin/sh
echo "\$1 \$2 \$3" >> "$dir/remote-args"
cat > "$dir/remote-stdin"
case "\$3" in
  ok@*) printf 'r\0K%s accepted message.\n\0' "\$1" ;;
  bad@*) printf 'h%s does not like recipient.\n\0DGiving up on %s.\n\0' "\$1" "\$1" ;;
  crash@*) kill -SEGV \$\$ ;;
  *) exit 111 ;;
esac
SH
chmod +x "$dir/fake-remote"
out=$(printf '0\t0/23\tjoe@x\tok@a.example\n1\t0/23\tjoe@x\tbad@b.example\n2\t0/23\t\tcrash@c\n3\t0/23\t\ttemp@d\n' |
  QMAILREMOTE=$dir/fake-remote python3 "$LETTERSHOP_SRC/tests/e2e/lib/spawn_driver.py" "$dir/bin/qmail-rspawn") ||
  fail "qmail-rspawn exited non-zero: $out"
echo "$out"
line() { echo "$out" | grep -P "^$1\t" || fail "no report for slot $1"; }
line 0 | grep -qxP '0\tK\ta.example accepted message.\\n' || fail "ok: $(line 0)"
line 1 | grep -qxP '1\tD\tb.example does not like recipient.\\nGiving up on b.example.\\n' || fail "bad: $(line 1)"
line 2 | grep -qxP '2\tZ\tqmail-remote crashed.\\n' || fail "crash: $(line 2)"
line 3 | grep -qxP '3\tZ\tUnable to run qmail-remote.\\n' || fail "temp: $(line 3)"
grep -qx 'a.example joe@x ok@a.example' "$dir/remote-args" || fail "argv: $(cat "$dir/remote-args")"
grep -qx 'body' "$dir/remote-stdin" || fail "message not on stdin"
[ "$(head -c 8 "$dir/queue/lock/tcpto" | tr -d '\0')" = "" ] || fail "tcpto not cleared"
echo "spawn_rspawn: ok"
