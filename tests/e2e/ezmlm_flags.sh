#!/bin/bash
# Switches given to ezmlm-make -+ show up as flag files and command lines
# and go away with their uppercase letters (ezmlm-idx test 135).
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
new_instance
ezmlm_env "$dir"
l=$dir/team
ez ezmlm-make "$l" "$dir/.qmail-team" team example.test || fail "ezmlm-make failed"

ez ezmlm-make -+qkgu "$l" || fail "-+qkgu"
grep -q "ezmlm-checksub -n '$l' deny" "$l/editor" || fail "editor lacks deny: $(cat "$l/editor")"
grep -q "ezmlm-checksub '$l' . digest allow mod && " "$l/editor" || fail "editor lacks allow: $(cat "$l/editor")"
grep -q "ezmlm-request '$l'" "$l/manager" || fail "manager lacks ezmlm-request"
[ -f "$l/subgetonly" ] && [ -f "$l/subpostonly" ] || fail "no subgetonly/subpostonly: $(ls "$l")"
ez ezmlm-make -+QKGU "$l" || fail "-+QKGU"
[ ! -e "$l/subgetonly" ] && [ ! -e "$l/subpostonly" ] || fail "-+QKGU kept the files"
grep -q "allow" "$l/editor" && fail "editor still mentions allow"
ez ezmlm-make -+rsm -8 mods "$l" || fail "-+rsm"
[ -f "$l/remote" ] && [ -f "$l/modpost" ] && [ "$(cat "$l/modsub")" = mods ] || fail "-+rsm: $(ls "$l")"
ez ezmlm-make -+ln "$l" || fail "-+ln"
[ -f "$l/modcanlist" ] && [ -f "$l/modcanedit" ] && [ -f "$l/modsub" ] || fail "-+ln lost switches: $(ls "$l")"
[ "$(cat "$l/modsub")" = mods ] || fail "-+ln lost -8"
ez ezmlm-make -+RSMLN "$l" || fail "-+RSMLN"
for f in remote modsub modpost modcanlist modcanedit; do [ ! -e "$l/$f" ] || fail "$f kept"; done
ez ezmlm-make -+xtw -5 boss@example.org -3 'Team <team@example.test>' "$l" || fail "-+xtw"
[ "$(cat "$l/msgsize")" = 30000:2 ] && grep -qx text/html "$l/mimeremove" || fail "-x files"
[ -f "$l/addtrailer" ] && [ -f "$l/nowarn" ] || fail "-t/-w files"
[ "$(cat "$l/owner")" = boss@example.org ] || fail "owner: $(cat "$l/owner")"
# fromheader: headeradd/headerremove are E files, so -++ rewrites them.
ez ezmlm-make -++ "$l" || fail "-++"
grep -qx 'From: Team <team@example.test>' "$l/headeradd" || fail "headeradd: $(cat "$l/headeradd")"
grep -qx from "$l/headerremove" || fail "headerremove lacks from"
mkdir -p "$l/text"; echo mine >"$l/text/trailer"
ez ezmlm-make -+XT "$l" || fail "-+XT"
[ ! -e "$l/msgsize" ] && [ ! -e "$l/mimeremove" ] && [ ! -e "$l/addtrailer" ] && [ ! -e "$l/text/trailer" ] ||
  fail "-XT kept files: $(ls "$l" "$l/text")"
echo ok
