#!/bin/bash
# ezmlm-unsub on a db carried over from an older ezmlm: entries filed under
# the 32-bit hash (user@example.com in bucket W instead of Y) and under the
# case-sensitive hash are found by issubn, not added twice by ezmlm-sub, and
# really removed by ezmlm-unsub (ezmlm-idx 7.2 reports success and keeps
# them). Other records of the same bucket survive byte for byte.
set -eu
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
L=$ez/list
make_list "$L"
printf 'Tuser@example.com\0Tkeep@x.example\0' >"$L/subscribers/W"

SENDER=User@Example.COM expect_exit ezmlm-issubn 0 "" "$L"
expect_exit ezmlm-sub 0 "" "$L" user@example.com
[ ! -e "$L/subscribers/Y" ] || fail "legacy entry added a second time"
[ "$(ez ezmlm-list -n "$L")" = 2 ] || fail "count"
[ ! -s "$L/Log" ] || fail "nothing changed, yet logged"

expect_exit ezmlm-unsub 0 "" "$L" USER@example.com
[ "$(tr '\0' '|' <"$L/subscribers/W")" = "Tkeep@x.example|" ] || fail "bucket W: $(tr '\0' '|' <"$L/subscribers/W")"
SENDER=user@example.com expect_exit ezmlm-issubn 99 "" "$L"
[ "$(sed 's/^[0-9]* //' "$L/Log")" = "-manual USER@example.com" ] || fail "Log: $(cat "$L/Log")"

# A mixed-case entry in a bucket only its exact case hashes to.
/usr/bin/python3 - "$L" <<'PY'
import sys
def h(s):
    x = 5381
    for c in s.encode():
        x = ((x * 33) & 0xffffffffffffffff) ^ c
    return chr(64 + x % 53)
lc, cs = h("Tmixed@example.com"), h("TMiXed@example.com")
assert lc != cs, (lc, cs)
open(sys.argv[1] + "/subscribers/" + cs, "ab").write(b"TMiXed@example.com\0")
PY
[ "$(ez ezmlm-list "$L" | sort | tr '\n' ' ')" = "MiXed@example.com keep@x.example " ] || fail "planted entry"
expect_exit ezmlm-unsub 0 "" "$L" mixed@EXAMPLE.com
[ "$(ez ezmlm-list "$L")" = "keep@x.example" ] || fail "mixed-case legacy entry kept: $(ez ezmlm-list "$L")"
echo ok
