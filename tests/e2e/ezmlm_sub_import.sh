#!/bin/bash
# Bulk import: ezmlm-sub reads 100 000 addresses from stdin (comments,
# blank lines, CRLF endings and -n names mixed in), rewrites each bucket
# file once, writes one Log line per address, and a second run adds
# nothing. ezmlm-unsub removes half of them the same way. The number of
# renames catches a return to one rewrite per address.
set -eu
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
L=$ez/list
make_list "$L"

/usr/bin/python3 - "$w" <<'PY'
import sys
w = sys.argv[1]
with open(w + "/in", "w", newline="") as f:
    f.write("# a comment\n\n")
    for i in range(100000):
        end = "\r\n" if i % 7 == 0 else "\n"
        f.write("user%d@Host%d.Example%s" % (i, i % 97, end))
    f.write("user5@host5.example\n")   # a duplicate in another case
with open(w + "/half", "w") as f:
    for i in range(0, 100000, 2):
        f.write("USER%d@host%d.example\n" % (i, i % 97))
PY
# Count the renames instead of timing the run (speed belongs to bench/list):
# one rewrite per touched bucket means at most 53 renames, where a rewrite
# per address would mean 100 000. LeakSanitizer cannot run under ptrace.
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
  strace -f -qq -e trace=rename,renameat,renameat2 -o "$w/renames" \
  "$LETTERSHOP_BIN/ezmlm-sub" "$L" <"$w/in" 2>"$w/err" || fail "import: $(cat "$w/err")"
renames=$(grep -c 'rename' "$w/renames" || true)
[ "$renames" -ge 1 ] && [ "$renames" -le 53 ] || fail "import made $renames renames (one per bucket expected)"
[ "$(ez ezmlm-list -n "$L")" = 100000 ] || fail "count $(ez ezmlm-list -n "$L")"
[ "$(wc -l <"$L/Log")" = 100000 ] || fail "Log lines: $(wc -l <"$L/Log")"
ez ezmlm-list "$L" | grep -q '^user99999@host89.example$' || fail "last address missing"
ez ezmlm-list "$L" | grep -q $'\r' && fail "carriage return stored"
ls "$L/subscribers" | grep -q '^.n$' && fail "temporary bucket left behind"
[ "$(ls "$L/subscribers" | wc -l)" = 53 ] || fail "not all 53 buckets written"
SENDER=user12345@HOST26.example ez ezmlm-issubn "$L" || fail "issubn after import"

ez ezmlm-sub "$L" <"$w/in" || fail "second import"
[ "$(wc -l <"$L/Log")" = 100000 ] || fail "second import logged changes"

ez ezmlm-unsub "$L" <"$w/half" || fail "bulk unsubscribe"
[ "$(ez ezmlm-list -n "$L")" = 50000 ] || fail "count after unsub $(ez ezmlm-list -n "$L")"
SENDER=user2@host2.example expect_exit ezmlm-issubn 99 "" "$L"
SENDER=user3@host3.example expect_exit ezmlm-issubn 0 "" "$L"

# Names with -n: address up to the first blank or comma, backslash quotes.
printf 'named@example.test Joe Example\nco\\ mma@example.test,Ann\n' | ez ezmlm-sub -n "$L" mod || fail "-n import"
ez ezmlm-list "$L" mod | sort >"$w/mods"
printf 'co mma@example.test\nnamed@example.test\n' | diff - "$w/mods" || fail "-n addresses"
sed 's/^[0-9]* //' "$L/mod/Log" >"$w/modlog"
printf '+manual named@example.test Joe Example\n+manual co mma@example.test Ann\n' | diff - "$w/modlog" || fail "-n log"
echo ok
