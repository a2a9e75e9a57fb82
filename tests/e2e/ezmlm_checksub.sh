#!/bin/bash
# ezmlm-checksub (ezmlm-idx test 116): -N (default) rejects non-subscribers
# with TXT_ONLY_SUBSCRIBERS on stdout and exit 100, -n rejects subscribers
# (the deny db) with TXT_REJECT_POSTS, others pass with 0; -m picks another
# text/messages entry, and a list's own text/messages wins; decoded SENDER.
set -eu
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
L=$ez/list
make_list "$L" list example.test
ez ezmlm-sub "$L" xyzzy@host
ez ezmlm-sub "$L" deny spammer@host

# checksub: -N (default) rejects non-subscribers with the list's text.
only="Sorry, only subscribers may post. If you are a subscriber, please forward this message to list-owner@example.test to get your new address included (#5.7.2)"
SENDER=xyzzy@host expect_exit ezmlm-checksub 0 "" "$L"
SENDER=xyzzy@host expect_exit ezmlm-checksub 0 "" -N "$L"
SENDER=SRS0=HH=TT=host=xyzzy@fwd.example expect_exit ezmlm-checksub 0 "" "$L"
SENDER=other@host expect_exit ezmlm-checksub 100 "" "$L"
[ "$(cat "$w/out")" = "$only" ] || fail "checksub text: $(cat "$w/out")"
SENDER=spammer@host expect_exit ezmlm-checksub 0 "" "$L" . deny
# -n rejects subscribers (the deny db in the editor).
SENDER=spammer@host expect_exit ezmlm-checksub 100 "" -n "$L" deny
[ "$(cat "$w/out")" = "Sorry, posts from your address are not accepted here (#5.7.2)" ] || fail "reject text"
SENDER=xyzzy@host expect_exit ezmlm-checksub 0 "" -n "$L" deny
# -m: another text/messages entry; a list's own text/messages wins.
echo 'MY_TEXT:posting from <#1#> is closed; ask <#l#>-owner@<#h#>' >"$L/text/messages"
SENDER=other@host expect_exit ezmlm-checksub 100 "" -m MY_TEXT "$L"
[ "$(cat "$w/out")" = "posting from list is closed; ask list-owner@example.test" ] || fail "-m text: $(cat "$w/out")"
expect_exit ezmlm-checksub 100 "ezmlm-checksub: fatal: SENDER not set" "$L"
echo ok
