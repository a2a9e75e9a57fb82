#!/bin/bash
# The build's install target installs every man page (issue 11): after
# `DESTDIR=T cmake --install BUILD --prefix /opt/lettershop` each page of the
# checkout's man/ is at T/opt/lettershop/share/man/manN/PAGE, byte for byte,
# nothing else is there, and man(1) reads an installed page through MANPATH
# as it reads the checkout's with -l. The programs go to QMAILHOME/bin.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
: "${LETTERSHOP_BUILD:?LETTERSHOP_BUILD must name the build directory}"
t=$(mktemp -d "${TMPDIR:-/tmp}/lettershop-e2e.XXXXXX")
instance_trap "$t"

DESTDIR=$t/root cmake --install "$LETTERSHOP_BUILD" --prefix /opt/lettershop >"$t/install.log" 2>&1 ||
  fail "cmake --install failed: $(tail -n 20 "$t/install.log")"
m=$t/root/opt/lettershop/share/man
[ -d "$m" ] || fail "no $m; installed: $(cd "$t/root" && find . -maxdepth 4 -type d)"

(cd "$LETTERSHOP_SRC/man" && find . -type f -name '*.[1-8]' | LC_ALL=C sort) >"$t/want"
[ "$(wc -l <"$t/want")" -gt 50 ] || fail "the checkout has only $(wc -l <"$t/want") man pages"
(cd "$m" && find . -type f | LC_ALL=C sort) >"$t/have"
diff "$t/want" "$t/have" >"$t/diff" || fail "installed pages differ from man/:
$(cat "$t/diff")"
while read -r page; do
  cmp -s "$LETTERSHOP_SRC/man/$page" "$m/$page" || fail "$page differs after the install"
done <"$t/want"

# man finds an installed page by name, and renders it as it does from the checkout.
command -v man >/dev/null || fail "man is not installed (scripts/deps: man-db)"
MANPATH=$m MANWIDTH=80 man qmail-send 2>"$t/err" | col -b >"$t/installed" || fail "man qmail-send: $(cat "$t/err")"
MANWIDTH=80 man -l "$LETTERSHOP_SRC/man/man8/qmail-send.8" 2>/dev/null | col -b >"$t/checkout"
grep -q 'qmail-send - deliver mail messages from the queue' "$t/installed" ||
  fail "man qmail-send from the install: $(head -n 5 "$t/installed")"
cmp -s "$t/installed" "$t/checkout" || fail "the installed page renders differently: $(diff "$t/checkout" "$t/installed" | head)"

# The programs are installed too, under the compiled-in QMAILHOME.
qh=$(sed -n 's/^LETTERSHOP_QMAILHOME:STRING=//p' "$LETTERSHOP_BUILD/CMakeCache.txt")
[ -x "$t/root$qh/bin/qmail-send" ] || fail "qmail-send is not in $qh/bin after the install"
echo ok
