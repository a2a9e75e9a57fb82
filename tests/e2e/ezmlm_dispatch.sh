#!/bin/bash
# ezmlm-dispatch picks the list and its command file from DEFAULT, with and
# without the list argument (ezmlm-idx test 300).
#
# Two fake lists whose command files record which file ran and the DEFAULT
# it saw; a forward line goes through the fake qmail-queue.
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
inject_instance
w=$work
d=$dir/lists
for list in one two-x; do
  for f in editor owner bouncer digest/bouncer confirmer moderator manager; do
    mkdir -p "$d/$list/digest"
    echo "|echo $list $f \"\${DEFAULT-unset}\" >>$w/ran" >"$d/$list/$f"
  done
done
printf 'msg\n' >"$w/msg"
run() { # DEFAULT-or-"-" [list] -> the line it recorded
  : >"$w/ran"
  if [ "$1" = - ]; then
    (unset DEFAULT; "$LETTERSHOP_BIN/ezmlm-dispatch" "$d" ${2:+"$2"} <"$w/msg" >"$w/out")
  else
    DEFAULT=$1 "$LETTERSHOP_BIN/ezmlm-dispatch" "$d" ${2:+"$2"} <"$w/msg" >"$w/out"
  fi
  cat "$w/ran"
}
check() { # WANT DEFAULT [list]
  local want=$1
  shift
  got=$(run "$@") || fail "ezmlm-dispatch $*: exit $?"
  [ "$got" = "$want" ] || fail "DEFAULT=$1 ${2-}: got '$got', want '$want'"
  [ "$(cat "$w/out")" = "did 0+0+1" ] || fail "stdout: $(cat "$w/out")"
}
check "one editor unset" one
check "one manager subscribe-a=b.c" one-subscribe-a=b.c
check "one owner unset" one-owner
check "one owner unset" one-digest-owner
check "one bouncer 5-a=b.c" one-return-5-a=b.c
check "one digest/bouncer 5-a=b.c" one-digest-return-5-a=b.c
check "one confirmer 1.2.3" one-confirm-1.2.3
check "one confirmer 1.2.3" one-discard-1.2.3
check "one moderator 1.2.3" one-accept-1.2.3
check "one moderator 1.2.3" one-reject-1.2.3
check "two-x editor unset" two-x
check "two-x manager help" two-x-help
check "two-x manager help" help two-x
check "two-x editor unset" - two-x
check "one bouncer 7-" return-7- one
# Errors: a slash, no list, a file delivery line.
for bad in ../one one/x nolist; do
  rc=0; DEFAULT=$bad "$LETTERSHOP_BIN/ezmlm-dispatch" "$d" <"$w/msg" >/dev/null 2>&1 || rc=$?
  [ "$rc" = 100 ] || fail "DEFAULT=$bad: exit $rc"
done
echo ./Mailbox >"$d/one/editor"
rc=0; DEFAULT=one "$LETTERSHOP_BIN/ezmlm-dispatch" "$d" <"$w/msg" >/dev/null 2>&1 || rc=$?
[ "$rc" = 100 ] || fail "mbox line: exit $rc"
# A program's 99 ends the run with 99; 100 with 100; the forward is queued.
printf '|exit 99\n|echo never >>%s/ran\n' "$w" >"$d/one/manager"
: >"$w/ran"; rc=0; DEFAULT=one-x "$LETTERSHOP_BIN/ezmlm-dispatch" "$d" <"$w/msg" >/dev/null || rc=$?
[ "$rc" = 99 ] && [ ! -s "$w/ran" ] || fail "99: exit $rc"
fake_queue
printf '&fwd@example.org\n|cat >%s/copy\n' "$w" >"$d/one/owner"
rc=0; SENDER=s@x.org DTLINE='Delivered-To: one-owner@example.test
' DEFAULT=one-owner "$LETTERSHOP_BIN/ezmlm-dispatch" "$d" <"$w/msg" >"$w/out" || rc=$?
[ "$rc" = 0 ] || fail "forward: exit $rc"
[ "$(cat "$w/out")" = "did 0+1+1" ] || fail "forward stdout: $(cat "$w/out")"
[ "$(envelope_text "$work/qq.env")" = 'Fs@x.org|Tfwd@example.org||' ] || fail "envelope: $(envelope_text "$work/qq.env")"
[ "$(cat "$w/copy")" = msg ] || fail "stdin not rewound for the program: $(cat "$w/copy")"
echo ok
