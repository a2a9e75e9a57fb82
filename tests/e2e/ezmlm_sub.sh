#!/bin/bash
# ezmlm-sub, -unsub, -list and -issubn on a list made by hand, as ezmlm-idx's
# test 115-ezmlm-sub runs them: an empty list; "xyZZy@hoSt" stored as
# "xyZZy@host"; issubn with relative and absolute db arguments and -n; the
# allow db; case-insensitive unsubscribe; several addresses at once; an
# @domain entry in deny matching any sender of the domain; Log lines with
# +manual/-manual and -t tags; -v; usage errors.
set -eu
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
L=$ez/list
make_list "$L"

[ -z "$(ez ezmlm-list "$L")" ] || fail "new list not empty"
[ "$(ez ezmlm-list -n "$L")" = 0 ] || fail "count of an empty list"
SENDER=xyzzy@host expect_exit ezmlm-issubn 99 "" "$L"
SENDER=xyzzy@host expect_exit ezmlm-issubn 0 "" -n "$L"

# Subscribe: domain lower-cased, local part kept.
expect_exit ezmlm-sub 0 "" "$L" xyZZy@hoSt
[ "$(ez ezmlm-list "$L")" = "xyZZy@host" ] || fail "list shows '$(ez ezmlm-list "$L")'"
SENDER=XYZZY@HOST expect_exit ezmlm-issubn 0 "" "$L"
SENDER=xyzzy@host expect_exit ezmlm-issubn 99 "" -n "$L"
SENDER=xyzzy@host expect_exit ezmlm-issubn 0 "" "$L" .
SENDER=xyzzy@host expect_exit ezmlm-issubn 0 "" "$L" "$L"
SENDER=xyzzy@host expect_exit ezmlm-issubn 99 "" "$L" allow
SENDER=xyzzy@host expect_exit ezmlm-issubn 99 "" "$L" "$L/allow"
# Subscribing again changes nothing and logs nothing.
expect_exit ezmlm-sub 0 "" "$L" XYZZY@host
[ "$(ez ezmlm-list -n "$L")" = 1 ] || fail "duplicate stored"

# The allow db, named relative or absolute.
expect_exit ezmlm-sub 0 "" "$L" allow other@Example.ORG
[ "$(ez ezmlm-list "$L" allow)" = "other@example.org" ] || fail "allow db"
[ "$(ez ezmlm-list "$L" "$L/allow")" = "other@example.org" ] || fail "allow db by path"
SENDER=other@example.org expect_exit ezmlm-issubn 99 "" "$L"
SENDER=other@example.org expect_exit ezmlm-issubn 0 "" "$L" . allow
SENDER=other@example.org expect_exit ezmlm-issubn 0 "" "$L" "$L" "$L/allow"

# Unsubscribe without regard to case; several at once; absent ones are fine.
expect_exit ezmlm-sub 0 "" "$L" a@example.test b@example.test c@example.test
[ "$(ez ezmlm-list -n "$L")" = 4 ] || fail "three more"
expect_exit ezmlm-unsub 0 "" "$L" XyZzY@HoSt
SENDER=xyzzy@host expect_exit ezmlm-issubn 99 "" "$L"
expect_exit ezmlm-unsub 0 "" "$L" A@example.test B@EXAMPLE.TEST nobody@example.test
[ "$(ez ezmlm-list "$L")" = "c@example.test" ] || fail "after unsubs: $(ez ezmlm-list "$L")"

# A whole domain in deny.
expect_exit ezmlm-sub 0 "" "$L" deny @badexample.com
SENDER=anyone@BadExample.com expect_exit ezmlm-issubn 0 "" "$L" deny
SENDER=anyone@goodexample.com expect_exit ezmlm-issubn 99 "" "$L" deny

# Log lines: time, +manual/-manual or the -t tag, the address as given
# (domain lower-cased), name.
expect_exit ezmlm-sub 0 "" -t import -n "$L" d@example.test "Dee Example"
expect_exit ezmlm-unsub 0 "" -t probe "$L" d@example.test
sed -E 's/^[0-9]{10} //' "$L/Log" >"$w/log"
cat >"$w/want" <<'LOG'
+manual xyZZy@host
+manual a@example.test
+manual b@example.test
+manual c@example.test
-manual XyZzY@host
-manual A@example.test
-manual B@example.test
+import d@example.test Dee Example
-probe d@example.test
LOG
diff "$w/want" "$w/log" || fail "Log lines"
grep -Eqv '^[0-9]{10} ' "$L/Log" && fail "Log line without a time"
[ "$(sed 's/^[0-9]* //' "$L/allow/Log")" = "+manual other@example.org" ] || fail "allow/Log"

# Bad addresses: 100 with the text/messages reason, and the db files stay
# as they were. A list's own text/messages entry is used.
db_files "$L" >"$w/before"
expect_exit ezmlm-sub 100 "ezmlm-sub: fatal: the address has no '@': noat (#5.1.3)" "$L" . noat
long=$(printf 'x%.0s' $(seq 400))@example.test
expect_exit ezmlm-sub 100 "ezmlm-sub: fatal: the address is too long: $(printf 'x%.0s' $(seq 60))... (#5.1.3)" "$L" "$long"
printf 'ok1@example.test\nnoat\nok2@example.test\n' | expect_exit ezmlm-sub 100 "ezmlm-sub: fatal: the address has no '@': noat (#5.1.3)" "$L"
echo 'ERR_ADDR_NL:an address may not span lines (#5.1.7)' >"$L/text/messages"
expect_exit ezmlm-unsub 100 "ezmlm-unsub: fatal: an address may not span lines: a@b?c (#5.1.7)" "$L" . "$(printf 'a@b\nc')"
rm "$L/text/messages"
db_files "$L" >"$w/after"
diff "$w/before" "$w/after" || fail "a refused batch changed the db"

# -v / -V print the version on stderr and exit 0; unknown switches are usage errors.
expect_exit ezmlm-sub 0 "ezmlm version: ezmlm-idx-7.2.2 (Lettershop $(ez ezmlm-sub --version | sed 's/.* //'))" -v
expect_exit ezmlm-unsub 0 "ezmlm version: ezmlm-idx-7.2.2 (Lettershop $(ez ezmlm-unsub --version | sed 's/.* //'))" -V "$L"
expect_exit ezmlm-sub 100 "ezmlm-sub: usage: ezmlm-sub [-HmMnNvV] [-h hash] [-S subdb] [-t tag] dir [subdir] [box@domain [name]] ..." -x "$L" a@b
expect_exit ezmlm-sub 100 "ezmlm-sub: usage: ezmlm-sub [-HmMnNvV] [-h hash] [-S subdb] [-t tag] dir [subdir] [box@domain [name]] ..."
# A missing list directory is temporary.
expect_exit ezmlm-sub 111 "ezmlm-sub: fatal: unable to switch to $ez/nolist: No such file or directory (#4.3.0)" "$ez/nolist" a@b
echo ok
