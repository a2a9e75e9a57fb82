#!/bin/bash
# rspawn_batch — qmail-rspawn batches: recipients of one message and sender
# at one domain that wait together go to ONE qmail-remote run with all of
# them in argv; another domain or sender is another run; each recipient's
# r/h/s report (plus the message's K/Z/D) comes back on its own slot; a run
# that crashes defers all of its recipients; at most 100 recipients per run;
# at most control/concurrencyremote runs at once; 255 slots; a run that
# closes its output early and lingers holds up no other run's report.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance

mkdir -p "$dir/queue/mess/0" "$dir/queue/lock"
printf 'Subject: x\n\nbody\n' >"$dir/queue/mess/0/23"
printf 'Subject: y\n\nother\n' >"$dir/queue/mess/0/46"
# The fake qmail-remote records its argv (one line per run), refuses any
# recipient whose local part starts with "b" for now (4xx) and "no" for
# good (5xx), crashes for crash.example, and makes sure that no two runs
# overlap when $dir/one-at-a-time exists.
cat >"$dir/fake-remote" <<SH
#!/bin/bash
if [ -e "$dir/one-at-a-time" ]; then
  mkdir "$dir/running" 2>/dev/null || { echo overlap >>"$dir/overlaps"; }
  sleep 0.2
fi
echo "\$*" >>"$dir/remote-args"
cat >/dev/null
[ "\$1" = crash.example ] && kill -SEGV \$\$
host=\$1
shift 2
for r in "\$@"; do
  case "\$r" in
    b*) printf 's%s does not like recipient.\nRemote host said: 451 later %s\n\0' "\$host" "\$r" ;;
    no*) printf 'h%s does not like recipient.\nRemote host said: 550 no %s\n\0' "\$host" "\$r" ;;
    *) printf 'r\0' ;;
  esac
done
printf 'K%s accepted message.\nRemote host said: 250 ok\n\0' "\$host"
rm -rf "$dir/running"
SH
chmod +x "$dir/fake-remote"

drive() { QMAILREMOTE=$dir/fake-remote /usr/bin/python3 "$LETTERSHOP_SRC/tests/e2e/lib/spawn_driver.py" "$dir/bin/qmail-rspawn"; }
out=$(printf '%s\n' \
  $'0\t0/23\tjoe@x\ta@one.example' \
  $'1\t0/23\tjoe@x\tb@one.example' \
  $'2\t0/23\tjoe@x\tc@One.Example' \
  $'3\t0/23\tjoe@x\td@two.example' \
  $'4\t0/23\tjoe-e=one.example@x\te@one.example' \
  $'5\t0/46\tjoe@x\tf@one.example' \
  $'6\t0/23\tjoe@x\tx@crash.example' \
  $'7\t0/23\tjoe@x\ty@crash.example' \
  $'8\t0/23\tjoe@x\tno@two.example' | drive) || fail "qmail-rspawn exited non-zero: $out"
echo "$out"
line() { echo "$out" | grep -P "^$1\t" || fail "no report for slot $1"; }
echo "$out" | grep -qx 'slots 255' || fail "qmail-rspawn should offer 255 slots: $out"
ok='K\tone.example accepted message.\\nRemote host said: 250 ok\\n'
line 0 | grep -qxP "0\t$ok" || fail "a: $(line 0)"
line 1 | grep -qxP '1\tZ\tone.example does not like recipient.\\nRemote host said: 451 later b@one.example\\n' ||
  fail "b: $(line 1)"
line 2 | grep -qxP "2\t$ok" || fail "c: $(line 2)"
line 3 | grep -qxP '3\tK\ttwo.example accepted message.\\nRemote host said: 250 ok\\n' || fail "d: $(line 3)"
line 4 | grep -qxP "4\t$ok" || fail "e: $(line 4)"
line 5 | grep -qxP "5\t$ok" || fail "f: $(line 5)"
line 6 | grep -qxP '6\tZ\tqmail-remote crashed.\\n' || fail "crash x: $(line 6)"
line 7 | grep -qxP '7\tZ\tqmail-remote crashed.\\n' || fail "crash y: $(line 7)"
line 8 | grep -qxP '8\tD\ttwo.example does not like recipient.\\nRemote host said: 550 no no@two.example\\n' ||
  fail "no: $(line 8)"

# One run per batch, recipients in arrival order.
sort "$dir/remote-args" >"$dir/runs"
cat >"$dir/want" <<EOF
crash.example joe@x x@crash.example y@crash.example
one.example joe-e=one.example@x e@one.example
one.example joe@x a@one.example b@one.example c@One.Example
one.example joe@x f@one.example
two.example joe@x d@two.example no@two.example
EOF
diff "$dir/want" "$dir/runs" || fail "qmail-remote runs differ from the batches expected"

# 150 recipients of one message at one domain: two runs, 100 + 50; with
# concurrencyremote 1 the runs never overlap.
rm -f "$dir/remote-args"
echo 1 >"$dir/control/concurrencyremote"
touch "$dir/one-at-a-time"
out=$(for i in $(seq 0 149); do printf '%s\t0/23\ts@x\tu%s@list.example\n' "$i" "$i"; done | drive) ||
  fail "qmail-rspawn exited non-zero: $out"
[ "$(echo "$out" | grep -cP '^[0-9]+\tK\tlist.example accepted message.')" -eq 150 ] ||
  fail "not 150 successes: $out"
[ "$(wc -l <"$dir/remote-args")" -eq 2 ] || fail "expected 2 runs: $(cat "$dir/remote-args")"
[ "$(awk '{print NF - 2}' "$dir/remote-args" | sort -n | tr '\n' ' ')" = "50 100 " ] ||
  fail "runs should carry 100 and 50 recipients: $(awk '{print NF - 2}' "$dir/remote-args")"
[ ! -e "$dir/overlaps" ] || fail "two qmail-remote runs overlapped with concurrencyremote 1"

# A run that closes its output and lingers delays nobody: its report waits
# for its exit, the other run's report does not.
rm -f "$dir/control/concurrencyremote" "$dir/one-at-a-time"
cat >"$dir/linger-remote" <<'SH'
#!/bin/bash
cat >/dev/null
case "$1" in
  linger.example) printf 'r\0Klinger accepted message.\n\0'; exec >&- 2>&-; sleep 3 ;;
  *) sleep 0.5; printf 'r\0Kquick accepted message.\n\0' ;;
esac
SH
chmod +x "$dir/linger-remote"
times=$(QMAILREMOTE=$dir/linger-remote /usr/bin/python3 - "$dir/bin/qmail-rspawn" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(b"\x00" b"0/23\0s@x\0a@linger.example\0" b"\x01" b"0/23\0s@x\0b@quick.example\0")
p.stdin.flush()
t0 = time.time()
p.stdout.read(1)  # the slot count
buf = b""
seen = {}
while len(seen) < 2:
    chunk = p.stdout.read1(4096)
    if not chunk:
        break
    buf += chunk
    while b"\0" in buf[1:]:
        end = buf.index(b"\0", 1)
        seen[buf[0]] = time.time() - t0
        buf = buf[end + 1:]
p.stdin.close()
p.wait()
print("%.1f %.1f" % (seen.get(0, 99), seen.get(1, 99)))
PY
) || fail "the linger driver failed"
read -r linger quick <<<"$times"
awk -v q="$quick" 'BEGIN { exit !(q < 2.0) }' || fail "the quick run's report waited for the lingering run: $times"
awk -v l="$linger" 'BEGIN { exit !(l >= 2.5 && l < 90) }' || fail "the lingering run was reported before it exited: $times"
echo "rspawn_batch: ok"
