#!/bin/bash
# qmail-remote finds mail exchangers through DNS (dnsmasq on loopback, named
# by DNSCACHEIP; control/remoteport points at the sink's port): the best MX
# refuses connections, so the message lands at the second one; a domain
# without MX falls back to its A record; an AAAA-only MX is reached over
# IPv6 on ::1; a name that does not exist is D #5.1.2, a DNS server that
# does not answer Z #4.1.2; an MX pointing at
# this host on port 25 is D #5.4.6; a null client (":relay" in smtproutes)
# sends everything to the relay.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
new_instance
w=$dir/w
mkdir -p "$w"
printf 'Subject: mx\n\nhello\n' >"$w/msg"

start_sink v4
v4_port=$sink_port
v4_dir=$sink_dir
echo "$v4_port" >"$QMAILHOME/control/remoteport"

# 127.0.0.2 is loopback too, but nobody listens on it
start_dns --local=/test/ \
  --mx-host=mx.test,best.mx.test,5 --mx-host=mx.test,second.mx.test,10 \
  --host-record=best.mx.test,127.0.0.2 --host-record=second.mx.test,127.0.0.1 \
  --host-record=aonly.test,127.0.0.1 \
  --mx-host=six.test,v6.six.test,10 --host-record=v6.six.test,::1 \
  --mx-host=self.test,me.self.test,10 --host-record=me.self.test,127.0.0.1

remote mx.test a@example.test joe@mx.test <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "MX fallback: $(cat "$w/reports")"
grep -qx 'rcpt: <joe@mx.test>' $(sink_files | tail -1) || fail "not in the sink"

remote aonly.test a@example.test joe@aonly.test <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "A fallback: $(cat "$w/reports")"

remote nothere.test a@example.test joe@nothere.test <"$w/msg"
grep -q '^DSorry, I couldn.t find any host named nothere.test. (#5.1.2)' "$w/reports" ||
  fail "NXDOMAIN: $(cat "$w/reports")"

# no DNS server answers: a temporary failure
DNSCACHEIP=127.0.0.1:$(free_port) remote mx.test a@example.test joe@mx.test <"$w/msg"
grep -q "^ZSorry, I couldn't find any host by that name. (#4.1.2)" "$w/reports" || fail "DNS down: $(cat "$w/reports")"

# IPv6: the sink on ::1 with the same port number is not guaranteed free, so
# this part runs with its own remoteport
if /usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
  start_sink v6 --host ::1
  echo "$sink_port" >"$QMAILHOME/control/remoteport"
  remote six.test a@example.test joe@six.test <"$w/msg"
  grep -q '^K::1 accepted message.' "$w/reports" || fail "IPv6: $(cat "$w/reports")"
  grep -qx 'peer: ::1' $(sink_files | tail -1) || fail "not received over IPv6"
else
  echo "no IPv6 loopback here: the ::1 part is skipped"
fi

# the self check applies to port 25 only (our own listener)
rm -f "$QMAILHOME/control/remoteport"
remote self.test a@example.test joe@self.test <"$w/msg"
grep -q "^DSorry. Although I'm listed as a best-preference MX or A for that host," "$w/reports" ||
  fail "self MX: $(cat "$w/reports")"
grep -q '(#5.4.6)' "$w/reports" || fail "self MX code"

# null client: ":relay" routes every domain, no MX look-up at all
sink_dir=$v4_dir
echo ":127.0.0.1:$v4_port" >"$QMAILHOME/control/smtproutes"
unset DNSCACHEIP
before=$(sink_files | wc -l)
remote anywhere.invalid a@example.test joe@anywhere.invalid <"$w/msg"
grep -q '^K127.0.0.1 accepted message.' "$w/reports" || fail "null client: $(cat "$w/reports")"
[ "$(sink_files | wc -l)" -gt "$before" ] || fail "null client: nothing new in the sink"
echo ok
