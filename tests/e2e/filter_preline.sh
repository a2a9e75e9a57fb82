#!/bin/bash
# filter_preline — "|preline command" feeds UFLINE RPLINE DTLINE + message.
#
# The command reads exactly $UFLINE $RPLINE $DTLINE and the message (a
# 3 MB one too: streamed through the pipe); -f -r -d leave lines out and
# -F -R -D put them back, the last one winning; preline exits with the
# command's code (0, 99, 100, 111, 3); a command that stops reading early
# decides the exit code alone. Errors: a variable unset or no command
# (100), a command that does not exist (100, "unable to run"), a crash (111).
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
new_instance
w=$dir/work
mkdir "$w"
export UFLINE='From orig@elsewhere.test Thu Nov 26 14:00:00 2026
' RPLINE='Return-Path: <orig@elsewhere.test>
' DTLINE='Delivered-To: joe@example.test
'
printf 'Subject: hi\n\nFrom me\n' >"$w/msg"

# fed WANT FLAGS... - preline FLAGS cat gives WANT (a string) and exit 0
fed() {
  want=$1
  shift
  rc=0
  "$LETTERSHOP_BIN/preline" "$@" cat <"$w/msg" >"$w/out" 2>"$w/err" || rc=$?
  [ "$rc" = 0 ] || fail "preline $*: exit $rc ($(cat "$w/err"))"
  printf '%s' "$want" | cmp -s - "$w/out" || fail "preline $*: got $(cat "$w/out")"
}
body=$(cat "$w/msg"; echo x)
body=${body%x}
fed "$UFLINE$RPLINE$DTLINE$body"
fed "$RPLINE$DTLINE$body" -f
fed "$UFLINE$DTLINE$body" -r
fed "$UFLINE$RPLINE$body" -d
fed "$body" -frd
fed "$DTLINE$body" -fr -dD
fed "$UFLINE$RPLINE$DTLINE$body" -fFrRdD

# A large message arrives whole.
head -c 2500000 /dev/urandom | base64 >"$w/big"
"$LETTERSHOP_BIN/preline" -frd wc -c <"$w/big" >"$w/out" || fail "big: exit $?"
[ "$(cat "$w/out")" = "$(wc -c <"$w/big")" ] || fail "big: $(cat "$w/out") bytes"

# code WANT STDERR ARGS... - preline's exit code and stderr
code() {
  want_rc=$1 want_err=$2
  shift 2
  rc=0
  "$LETTERSHOP_BIN/preline" "$@" <"$w/msg" >"$w/out" 2>"$w/err" || rc=$?
  [ "$rc" = "$want_rc" ] || fail "preline $*: exit $rc, want $want_rc ($(cat "$w/err"))"
  [ "$(cat "$w/err")" = "$want_err" ] || fail "preline $*: stderr '$(cat "$w/err")', want '$want_err'"
}
for c in 0 3 99 100 111; do
  code "$c" "" sh -c "cat >/dev/null; exit $c"
done
# The command leaves without reading a 3 MB message: its exit code stands.
rc=0
"$LETTERSHOP_BIN/preline" true <"$w/big" 2>"$w/err" || rc=$?
[ "$rc" = 0 ] || fail "early exit: $rc ($(cat "$w/err"))"
rc=0
"$LETTERSHOP_BIN/preline" grep -q '^From orig' <"$w/big" 2>"$w/err" || rc=$?
[ "$rc" = 0 ] || fail "grep -q: $rc ($(cat "$w/err"))"

code 100 "preline: usage: preline [-frdFRD] command [arg ...]"
code 100 "preline: usage: preline [-frdFRD] command [arg ...]" -f
code 100 "preline: usage: unrecognised option '-x'" -x cat
code 100 "preline: fatal: unable to run no-such-program-on-path: No such file or directory" \
  no-such-program-on-path
code 111 "preline: fatal: child crashed" sh -c 'kill -9 $$'
unset RPLINE
code 100 "preline: fatal: RPLINE not set" -r cat
echo ok
