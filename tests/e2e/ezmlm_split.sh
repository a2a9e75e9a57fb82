#!/bin/bash
# ezmlm-split maps addresses to sublists by domain and hash, forwards
# (un)subscribe requests to them (exit 99) and leaves the rest alone (exit 0)
# (ezmlm-idx test 170).
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
inject_instance
ezmlm_env "$dir"
w=$work
l=$dir/team
ez ezmlm-make "$l" "$dir/.qmail-team" team example.test || fail "ezmlm-make failed"
printf '# sublists\nedu:0:52:edu@edu.example.org\ncom.example:0:26:low\ncom.example:27:52:high@other.test\n' >"$l/split"
printf 'a@x.edu\nu@mail.example.com\nv@example.com\nz@example.net\n' | ez ezmlm-split -D "$l" >"$w/map" ||
  fail "-D failed"
grep -qx 'edu@edu.example.org: a@x.edu' "$w/map" || fail "edu: $(cat "$w/map")"
grep -qx 'team@example.test: z@example.net' "$w/map" || fail "no match: $(cat "$w/map")"
grep -Eqx '(low@example.test|high@other.test): u@mail.example.com' "$w/map" || fail "example.com: $(cat "$w/map")"
[ "$(wc -l <"$w/map")" = 4 ] || fail "map: $(cat "$w/map")"

fake_queue
printf 'Subject: sub\n\n' >"$w/msg"
rc=0
SENDER=a@x.edu DEFAULT=subscribe-a=x.edu DTLINE='Delivered-To: team-subscribe-a=x.edu@example.test
' ez ezmlm-split "$l" <"$w/msg" 2>"$w/err" || rc=$?
[ "$rc" = 99 ] || fail "forward: exit $rc ($(cat "$w/err"))"
grep -Eq '^ezmlm-split: info: qp [0-9]+$' "$w/err" || fail "stderr: $(cat "$w/err")"
[ "$(envelope_text "$work/qq.env")" = 'Fteam-return-@example.test|Tedu-subscribe-a=x.edu@edu.example.org||' ] ||
  fail "envelope: $(envelope_text "$work/qq.env")"
[ "$(head -1 "$work/qq.msg")" = 'Delivered-To: team-subscribe-a=x.edu@example.test' ] || fail "no DTLINE on top"
# Not a subscription, or no sublist: exit 0, nothing queued.
rm -f "$work/qq.env"
rc=0; SENDER=a@x.edu DEFAULT=help DTLINE=x ez ezmlm-split "$l" <"$w/msg" || rc=$?
[ "$rc" = 0 ] && [ ! -e "$work/qq.env" ] || fail "help: exit $rc"
rc=0; SENDER=z@example.net DEFAULT=subscribe DTLINE=x ez ezmlm-split "$l" <"$w/msg" || rc=$?
[ "$rc" = 0 ] && [ ! -e "$work/qq.env" ] || fail "no match: exit $rc"
# No DTLINE for a forward: 100. Bounce sender: 100.
rc=0; SENDER=a@x.edu DEFAULT=subscribe ez ezmlm-split "$l" <"$w/msg" 2>/dev/null || rc=$?
[ "$rc" = 100 ] || fail "no DTLINE: exit $rc"
rc=0; SENDER= DEFAULT=subscribe DTLINE=x ez ezmlm-split "$l" <"$w/msg" 2>/dev/null || rc=$?
[ "$rc" = 100 ] || fail "bounce: exit $rc"
# No split file (every list ezmlm-make creates): 0, nothing queued; -D
# maps every address to the list itself.
mv "$l/split" "$l/split.saved"
rm -f "$work/qq.env"
rc=0; SENDER=a@x.edu DEFAULT=subscribe DTLINE=x ez ezmlm-split "$l" <"$w/msg" || rc=$?
[ "$rc" = 0 ] && [ ! -e "$work/qq.env" ] || fail "no split file: exit $rc"
[ "$(echo a@x.edu | ez ezmlm-split -D "$l")" = "$(cat "$l/outlocal")@$(cat "$l/outhost"): a@x.edu" ] ||
  fail "no split file, -D: $(echo a@x.edu | ez ezmlm-split -D "$l" 2>&1)"
mv "$l/split.saved" "$l/split"
# A bad line that matches: 111.
printf 'edu\nedu:\n' >"$l/split"
rc=0; echo a@x.edu | ez ezmlm-split -D "$l" >/dev/null 2>"$w/err" || rc=$?
[ "$rc" = 111 ] || fail "syntax error: exit $rc"
echo ok
