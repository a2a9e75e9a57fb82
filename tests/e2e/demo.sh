#!/bin/bash
# scripts/demo (issue 11) against the built programs, so that the README's
# first command cannot rot. The demo checks its own steps; this scenario
# checks them again from the outside, in the transcript and in the instance
# that --keep leaves behind:
#   1. users/passwd has alice, bob, carol and owner; control/me is demo.test;
#   2. qmail-send runs and qmail-smtpd answers on the port the transcript names;
#   3. team@demo.test exists with the [team] prefix;
#   4. each of the three got a confirmation request and a welcome, and
#      ezmlm-list shows them (and dave, added in step 7);
#   5. bob and carol have the post with the list headers and the prefix;
#   6. alice has exactly one auto-reply (to her own mail), bob's
#      autoresponder kept one record;
#   7. faraway.test was sent the post for dave, refused it, and the list's
#      bounce/d holds dave's bounce;
#   8. the stop script the transcript names ends every server.
# Then: a run without --keep leaves no directory and no process behind;
# a --dir that is not a sandbox, and a missing program, are refused clearly.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
t=$(mktemp -d "${TMPDIR:-/tmp}/lettershop-e2e.XXXXXX")
instance_trap "$t"
d=$t/demo
on_exit '[ -x "$d/stop" ] && "$d/stop" >/dev/null 2>&1'

rc=0
"$LETTERSHOP_SRC/scripts/demo" --keep --dir "$d" >"$t/out" 2>&1 </dev/null || rc=$?
[ "$rc" = 0 ] || fail "scripts/demo --keep exited $rc:
$(cat "$t/out")"
out=$t/out
for n in 1 2 3 4 5 6 7 8; do
  grep -q "^== $n\. " "$out" || fail "the transcript has no step $n"
done
grep -qx 'demo: all 8 steps worked.' "$out" || fail "no closing line"

# 1. the instance
[ "$(cat "$d/control/me")" = demo.test ] || fail "control/me: $(cat "$d/control/me")"
[ "$(cut -d: -f1 "$d/users/passwd" | tr '\n' ' ')" = "alias alice bob carol owner " ] ||
  fail "users/passwd: $(cat "$d/users/passwd")"

# 2. the servers, still running (--keep)
port=$(sed -nE 's/^\$ tcpserver -HRl demo\.test 127\.0\.0\.1 ([0-9]+) qmail-smtpd &$/\1/p' "$out")
[ -n "$port" ] || fail "no tcpserver line in the transcript"
mta=$(sed -nE 's/^  servers +qmail-send pid ([0-9]+), .*/\1/p' "$out")
[ "$(cat /proc/"$mta"/comm 2>/dev/null)" = qmail-send ] || fail "qmail-send (pid '$mta') is not running"
greeting=$(/usr/bin/python3 -c 'import socket,sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
print(s.makefile().readline().strip()); s.sendall(b"QUIT\r\n")' "$port") || fail "no SMTP server on port $port"
[[ $greeting =~ ^220\ demo\.test ]] || fail "greeting on port $port: $greeting"

# 3. the list
l=$d/home/owner/team
[ "$(cat "$l/outlocal")@$(cat "$l/outhost")" = team@demo.test ] || fail "the list is not team@demo.test"
[ "$(cat "$l/prefix")" = "[team]" ] || fail "prefix: $(cat "$l/prefix" 2>/dev/null)"

# with_header USER REGEX - how many of USER's messages have a header line matching REGEX
with_header() {
  local f n=0
  for f in "$d/home/$1/Maildir/new"/*; do
    sed '/^$/q' "$f" | grep -Eq -- "$2" && n=$((n + 1))
  done
  echo "$n"
}

# 4. subscriptions: over SMTP (the transcript's swaks lines), confirmed by mail
for u in alice bob carol; do
  grep -q "^\$ swaks .*--from $u@demo.test --to team-subscribe@demo.test " "$out" || fail "$u did not subscribe over SMTP"
  grep -Eq "^\\\$ swaks .*--from $u@demo.test --to team-sc\.[0-9]+\.[a-p]+-$u=demo.test@demo.test " "$out" ||
    fail "$u did not confirm over SMTP"
  [ "$(with_header "$u" '^Subject: confirm subscribe to team@demo.test$')" = 1 ] || fail "$u: confirmation requests"
  [ "$(with_header "$u" '^Subject: WELCOME to team@demo.test$')" = 1 ] || fail "$u: welcome messages"
  grep -Eq "^[0-9]+ \+ $u@demo.test" "$l/Log" || fail "Log: no + line for $u"
done
[ "$(grep -c '^   <-  250 2.0.0 ok [0-9]* qp [0-9]*$' "$out")" = 9 ] ||
  fail "want 9 messages accepted over SMTP (6 + 2 posts + 1 direct): $(grep -c '<-  250 2.0.0' "$out")"
[ "$("$LETTERSHOP_BIN/ezmlm-list" "$l" | LC_ALL=C sort | tr '\n' ' ')" = \
  "alice@demo.test bob@demo.test carol@demo.test dave@faraway.test " ] ||
  fail "subscribers: $("$LETTERSHOP_BIN/ezmlm-list" "$l" | tr '\n' ' ')"

# 5. the post
for u in bob carol; do
  [ "$(with_header "$u" '^Subject: \[team\] lunch on friday\?$')" = 1 ] || fail "$u: the post"
  f=$(grep -l '^Subject: \[team\] lunch on friday?$' "$d/home/$u/Maildir/new"/*)
  for want in 'Mailing-List: contact team-help@demo.test; run by ezmlm' 'List-Post: <mailto:team@demo.test>' \
    'Precedence: bulk' "Return-Path: <team-return-1-$u=demo.test@demo.test>"; do
    grep -qxF "$want" "$f" || fail "$u's post lacks '$want'"
  done
  grep -qx 'Who is in? Noon, the usual place.' "$f" || fail "$u's post lacks the body"
done

# 6. the autoresponder
[ "$(with_header alice '^Auto-Submitted: auto-replied$')" = 1 ] || fail "alice's auto-replies: want 1"
f=$(grep -l '^Auto-Submitted: auto-replied$' "$d/home/alice/Maildir/new"/*)
grep -qx 'Subject: Away: the report' "$f" || fail "the auto-reply's subject: $(grep '^Subject' "$f")"
grep -qx 'From: Bob <bob@demo.test>' "$f" || fail "the auto-reply's From"
[ "$(find "$d/home/bob/ar" -name 'A*' | wc -l)" = 1 ] || fail "bob's autoresponder records: $(ls "$d/home/bob/ar")"
for n in 1 2; do
  grep -q "autorespond:_no_reply_to_team-return-$n-bob=demo.test@demo.test:_precedence" "$d/log" ||
    fail "autorespond did not decline list post $n"
done

# 7. the bounce
grep -q 'RCPT TO:<dave@faraway.test>' "$d/faraway/commands.log" || fail "faraway.test never saw dave's RCPT"
grep -Eq 'delivery [0-9]+: failure: .*Remote_host_said:_550_5\.1\.1_<dave@faraway.test>' "$d/log" ||
  fail "no 550 failure in the log"
dfile=$(find "$l/bounce/d" -type f -name 'd*')
[ "$(echo "$dfile" | grep -c .)" = 1 ] || fail "bounce files: $(find "$l/bounce" -type f)"
[ "$(head -c 17 "$dfile")" = dave@faraway.test ] || fail "the bounce file's address: $(head -c 30 "$dfile")"
[ -n "$(find "$l/bounce/h" -type f)" ] || fail "no bounce/h file"
grep -q '^Remote host said: 550 5.1.1' "$out" || fail "the transcript does not show the 550"

# 8. how to stop it: the line the transcript gives
grep -qxF "  $d/stop && rm -rf $d" "$out" || fail "no stop command in the transcript"
# server_pids FILE - the pids in the transcript's "servers" lines
server_pids() {
  sed -n '/^  servers /,/^$/p' "$1" | grep -Eo 'pid [0-9]+' | cut -d' ' -f2 | tr '\n' ' '
}
pids=$(server_pids "$out")
[ "$(echo "$pids" | wc -w)" = 3 ] || fail "want three server pids in the transcript: '$pids'"
"$d/stop" >/dev/null || fail "the stop script failed"
for _ in $(seq 50); do
  alive=""
  for p in $pids; do [ -d "/proc/$p" ] && alive="$alive $p"; done
  [ -z "$alive" ] && break
  sleep 0.1
done
[ -z "$alive" ] || fail "still running after stop:$alive"
[ "$(tail -n 1 "$d/log")" = "status: exiting" ] || fail "qmail-send did not exit cleanly: $(tail -n 2 "$d/log")"

# Without --keep: the same run cleans up after itself.
d2=$t/demo2
rc=0
"$LETTERSHOP_SRC/scripts/demo" --dir "$d2" >"$t/out2" 2>&1 </dev/null || rc=$?
[ "$rc" = 0 ] || fail "scripts/demo exited $rc: $(tail -n 20 "$t/out2")"
[ ! -e "$d2" ] || fail "the demo left $d2 behind"
pids=$(server_pids "$t/out2")
[ "$(echo "$pids" | wc -w)" = 3 ] || fail "without --keep: server pids '$pids'"
for p in $pids; do
  [ ! -d "/proc/$p" ] || [ "$(cat /proc/"$p"/comm)" != qmail-send ] || fail "qmail-send $p still runs"
  ! tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "$d2" || fail "process $p of the demo still runs"
done

# Refusals: a --dir that is not ours, and a bin folder without the programs.
mkdir "$t/precious" && echo keep >"$t/precious/file"
rc=0
"$LETTERSHOP_SRC/scripts/demo" --dir "$t/precious" >"$t/out3" 2>&1 || rc=$?
[ "$rc" = 100 ] || fail "a foreign --dir: exit $rc"
grep -q 'is not a Lettershop sandbox' "$t/out3" || fail "a foreign --dir: $(cat "$t/out3")"
[ "$(cat "$t/precious/file")" = keep ] || fail "the foreign --dir was touched"
mkdir "$t/nobin"
rc=0
LETTERSHOP_BIN=$t/nobin "$LETTERSHOP_SRC/scripts/demo" --dir "$t/demo3" >"$t/out4" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "no programs: exit $rc"
grep -q '^demo: qmail-setup is not built' "$t/out4" || fail "no programs: $(cat "$t/out4")"
echo ok
