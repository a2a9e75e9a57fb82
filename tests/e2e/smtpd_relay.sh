#!/bin/bash
# Relaying rules: without RELAYCLIENT a foreign domain gets 553 and nothing
# is queued; badmailfrom gets 553 at RCPT; with RELAYCLIENT set the foreign
# recipient is accepted and queued for remote delivery (qmail-send not
# running: the todo envelope and the queued message are inspected);
# morercpthosts.cdb built by qmail-newmrh extends rcpthosts; a MISSING
# rcpthosts means no relaying at all (our deliberate difference from qmail).
. "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
smtp_instance
printf 'spammer@bad.example\n@worse.example\n' >"$dir/control/badmailfrom"
start_smtpd

# session PORT - runs an SMTP dialogue from stdin lines, prints the replies
cat >"$dir/session.py" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline().decode()
        lines.append(l.rstrip("\r\n"))
        if len(l) < 4 or l[3] != "-":
            return lines
print(reply()[-1])
for cmd in sys.stdin.read().splitlines():
    s.sendall(cmd.encode() + b"\r\n")
    print(reply()[-1])
PY
session() {
  "$PY" "$dir/session.py" "$1"
}

out=$(printf 'HELO x\nMAIL FROM:<joe@remote.example>\nRCPT TO:<victim@elsewhere.example>\nRCPT TO:<u@sub.example.test>\nDATA\nQUIT\n' | session "$smtp_port")
echo "$out" | sed -n 4p | grep -qx "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)" ||
  fail "relay attempt: $out"
echo "$out" | sed -n 5p | grep -qx "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)" ||
  fail "subdomain: $out"
echo "$out" | sed -n 6p | grep -qx '503 RCPT first (#5.5.1)' || fail "DATA without recipients: $out"
[ "$(queued_count)" = 0 ] || fail "something was queued"

# swaks sees the same refusal with enhanced codes after EHLO.
out=$(swaks --server 127.0.0.1 --port "$smtp_port" --from joe@remote.example --to victim@elsewhere.example 2>&1) &&
  fail "swaks relayed: $out"
echo "$out" | grep -q "^<\*\* 553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)$" ||
  fail "swaks relay reply: $out"

out=$(printf 'HELO x\nMAIL FROM:<SPAMMER@bad.example>\nRCPT TO:<fred@example.test>\nMAIL FROM:<a@worse.example>\nRCPT TO:<fred@example.test>\nQUIT\n' | session "$smtp_port")
[ "$(echo "$out" | grep -c '^553 sorry, your envelope sender is in my badmailfrom list (#5.7.1)$')" = 2 ] ||
  fail "badmailfrom: $out"
[ "$(queued_count)" = 0 ] || fail "something was queued"

# An [ip] literal of this host is localiphost (here me, example.test, which
# rcpthosts allows); a foreign literal is not. The interfaces are read at
# the first literal, not at connect.
out=$(printf 'HELO x\nMAIL FROM:<joe@remote.example>\nRCPT TO:<fred@[127.0.0.1]>\nRCPT TO:<fred@[192.0.2.1]>\nQUIT\n' | session "$smtp_port")
echo "$out" | sed -n 4p | grep -qx '250 ok' || fail "local [ip] literal: $out"
echo "$out" | sed -n 5p | grep -q '^553 ' || fail "foreign [ip] literal accepted: $out"
stop_servers

# RELAYCLIENT: accepted and queued for the remote recipient.
start_smtpd RELAYCLIENT=
out=$(swaks --server 127.0.0.1 --port "$smtp_port" --from joe@example.test --to far@elsewhere.example \
  --body 'relay me' 2>&1) || fail "relay with RELAYCLIENT refused: $out"
[ "$(queued_count)" = 1 ] || fail "want one queued message, have $(queued_count)"
queued_envelope | grep -qx 'Tfar@elsewhere.example' || fail "envelope: $(queued_envelope)"
queued_envelope | grep -qx 'Fjoe@example.test' || fail "envelope: $(queued_envelope)"
queued_message | grep -qx 'relay me' || fail "message: $(queued_message)"
stop_servers

# morercpthosts.cdb through qmail-newmrh.
printf '# more\nMore.Example\n.wild.example\n' >"$dir/control/morercpthosts"
"$dir/bin/qmail-newmrh" || fail "qmail-newmrh failed"
[ -s "$dir/control/morercpthosts.cdb" ] || fail "no morercpthosts.cdb"
[ ! -e "$dir/control/morercpthosts.cdb.tmp" ] || fail "temporary file left"
start_smtpd
out=$(printf 'HELO x\nMAIL FROM:<>\nRCPT TO:<a@more.example>\nRCPT TO:<b@x.wild.example>\nRCPT TO:<c@wild.example>\nQUIT\n' | session "$smtp_port")
[ "$(echo "$out" | sed -n 4,5p | grep -c '^250 ok$')" = 2 ] || fail "morercpthosts: $out"
echo "$out" | sed -n 6p | grep -q '^553 ' || fail ".wild must not match the bare domain: $out"
stop_servers

# No rcpthosts at all: nothing is relayed (qmail would relay everything).
rm "$dir/control/rcpthosts"
start_smtpd
out=$(printf 'HELO x\nMAIL FROM:<>\nRCPT TO:<a@example.test>\nRCPT TO:<postmaster>\nQUIT\n' | session "$smtp_port")
echo "$out" | sed -n 4p | grep -q '^553 ' || fail "missing rcpthosts relayed: $out"
echo "$out" | sed -n 5p | grep -qx '250 ok' || fail "bare postmaster: $out"
echo ok
