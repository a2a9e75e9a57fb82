#!/bin/bash
# splogger sends each input line to syslog with qmail's stamp, tag,
# facility and priority. The scenario runs in a private mount namespace with
# an empty /dev, so that /dev/log is our own datagram socket (a Python
# listener) and nothing reaches the machine's syslog. Where no mount
# namespace can be made (not root), only the exit codes are checked.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
new_instance
w=$dir/w
mkdir -p "$w"
printf 'status: local 0/10 remote 0/20\n\nwarning: trouble\talert: not first\nalert: unable to x\n%01000d\n' 0 >"$w/in"

expect_exit splogger 100 'splogger: usage: bad facility: mail (a number from 0 to 23)' qmail mail </dev/null
if ! unshare -m --propagation private true 2>/dev/null; then
  "$LETTERSHOP_BIN/splogger" qmail <"$w/in" || fail "splogger exited $?"
  echo "ok (no mount namespace: syslog contents not checked)"
  exit 0
fi

cat >"$w/listen.py" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(5)
with open(sys.argv[1], "wb") as out:
    for _ in range(int(sys.argv[2])):
        out.write(s.recv(65536) + b"\n")
        out.flush()
PYEOF
unshare -m --propagation private /bin/sh -c '
  mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 || exit 1
  /usr/bin/python3 "$1/listen.py" "$1/got" 5 &
  i=0
  while [ ! -e "$1/got.ready" ]; do
    i=$((i + 1)); [ $i -lt 100 ] || exit 3; sleep 0.05
  done
  "$2/splogger" qmail 3 <"$1/in" || exit 2
  wait' sh "$w" "$LETTERSHOP_BIN" || fail "splogger or the listener failed ($?)"

# <PRI> = facility*8 + severity: daemon (3*8) + info 6 = 30, warning 4 = 28,
# alert 1 = 25. syslog(3) adds a date and "qmail: " before the text.
sed -E 's/^(<[0-9]+>).* qmail: /\1 /; s/[0-9]+\.[0-9]{6}([ +])/STAMP\1/' "$w/got" >"$w/got.norm"
long=$(printf '%01000d' 0)
expect_text "$w/got.norm" "syslog records" <<EOF2
<30> STAMP status: local 0/10 remote 0/20
<28> STAMP warning: trouble?alert: not first
<25> STAMP alert: unable to x
<30> STAMP ${long:0:799}
<30> STAMP+${long:799}
EOF2
# The pieces of one line share one stamp.
s1=$(sed -n 4p "$w/got" | grep -Eo '[0-9]+\.[0-9]{6} ')
s2=$(sed -n 5p "$w/got" | grep -Eo '[0-9]+\.[0-9]{6}\+')
[ "${s1% }" = "${s2%+}" ] || fail "the pieces have different stamps: $s1 / $s2"
echo ok
