#!/bin/bash
# ezmlm-make creates a list directory, refuses to create it twice, and edits
# it with -e and -+ (ezmlm-idx test 100).
#
# The standard template makes the 7.2 file set with dot-qmail SYMLINKS in
# the owner's home; the key is 200 bytes and survives edits; the bouncers
# run ezmlm-weed and ezmlm-return; -+ keeps the switches that are on and
# -ed with new names rewrites files; legacy inlocal/inhost go away.
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
new_instance
ezmlm_env "$dir"
l=$dir/lists/team
h=$dir/home/owner
mkdir -p "$dir/lists" "$h"
w=$dir/w
mkdir "$w"

expect_exit ezmlm-make 0 "ezmlm-make version: ezmlm-idx-7.2.2 (Lettershop $("$LETTERSHOP_BIN/ezmlm-make" --version | sed 's/.* //'))" -v
# -e on a list that does not exist fails (111: the lock cannot be opened).
rc=0; ez ezmlm-make -e "$l" "$h/.qmail-team" team example.test 2>"$w/err" || rc=$?
[ "$rc" = 111 ] || fail "-e on a missing list: exit $rc"
[ ! -e "$l" ] || fail "-e created the list"
# Bad arguments: relative DIR, missing names.
expect_exit ezmlm-make 100 "ezmlm-make: fatal: dir must start with a slash" rel "$h/.qmail-team" team example.test
rc=0; ez ezmlm-make "$l" 2>"$w/err" || rc=$?
[ "$rc" = 100 ] || fail "no dot/local/host: exit $rc"
[ ! -e "$l" ] || fail "a usage error created the list"

ez ezmlm-make "$l" "$h/.qmail-team" team example.test || fail "create failed"
for f in outlocal outhost dot ezmlmrc digestcode editor manager owner bouncer digest/bouncer moderator confirmer \
  headeradd headerremove lock lockbounce digest/lock digest/lockbounce archived indexed public key; do
  [ -f "$l/$f" ] || fail "no $f"
done
for d in archive bounce text digest digest/bounce allow deny mod mod/pending mod/accepted mod/rejected \
  mod/unconfirmed subscribers allow/subscribers deny/subscribers digest/subscribers mod/subscribers; do
  [ -d "$l/$d" ] || fail "no directory $d"
done
for f in prefix modpost modsub remote subpostonly digested msgsize mimeremove sublist; do
  [ ! -e "$l/$f" ] || fail "$f exists without its switch"
done
[ "$(cat "$l/outlocal")" = team ] || fail "outlocal: $(cat "$l/outlocal")"
[ "$(cat "$l/dot")" = "$h/.qmail-team" ] || fail "dot: $(cat "$l/dot")"
[ "$(stat -c %s "$l/key")" = 200 ] || fail "key is $(stat -c %s "$l/key") bytes"
[ "$(stat -c %a "$l/key")" = 600 ] || fail "key mode $(stat -c %a "$l/key")"
[ "$(stat -c %a "$l")" = 700 ] || fail "DIR mode $(stat -c %a "$l")"
for pair in ":editor" "-owner:owner" "-digest-owner:owner" "-return-default:bouncer" \
  "-digest-return-default:digest/bouncer" "-default:manager" "-accept-default:moderator" \
  "-reject-default:moderator" "-confirm-default:confirmer" "-discard-default:confirmer"; do
  link=$h/.qmail-team${pair%%:*}
  [ -L "$link" ] || fail "$link is not a symlink"
  [ "$(readlink "$link")" = "$l/${pair#*:}" ] || fail "$link -> $(readlink "$link")"
done
grep -qx "|$LETTERSHOP_BIN/ezmlm-weed" "$l/bouncer" || fail "bouncer: $(cat "$l/bouncer")"
grep -qx "|$LETTERSHOP_BIN/ezmlm-return -D '$l'" "$l/bouncer" || fail "bouncer: $(cat "$l/bouncer")"
grep -qx "|$LETTERSHOP_BIN/ezmlm-weed" "$l/digest/bouncer" || fail "digest/bouncer: $(cat "$l/digest/bouncer")"
grep -qx "|$LETTERSHOP_BIN/ezmlm-return -d '$l'" "$l/digest/bouncer" || fail "digest/bouncer: $(cat "$l/digest/bouncer")"
grep -qx "|$LETTERSHOP_BIN/ezmlm-store '$l'" "$l/editor" || fail "editor: $(cat "$l/editor")"
[ "$(cat "$l/owner")" = "$l/Mailbox" ] || fail "owner: $(cat "$l/owner")"
grep -qx 'List-Post: <mailto:team@example.test>' "$l/headeradd" || fail "headeradd: $(cat "$l/headeradd")"
grep -qx 'List-Help: <mailto:<#l#>-help@<#h#>>' "$l/headeradd" || fail "headeradd: $(cat "$l/headeradd")"

# Re-creating fails and changes nothing.
cp "$l/key" "$w/key"
rc=0; ez ezmlm-make "$l" "$h/.qmail-team" team example.test 2>"$w/err" || rc=$?
[ "$rc" = 111 ] || fail "re-create: exit $rc"
grep -q 'ezmlm-make: fatal: unable to create' "$w/err" || fail "re-create: $(cat "$w/err")"
cmp -s "$l/key" "$w/key" || fail "re-create changed the key"

# -+d: digest on, the other switches (a, p) kept, names recovered, key kept.
echo legacy >"$l/inlocal"
echo legacy >"$l/inhost"
echo 'Owner: edited' >>"$l/headeradd"
ez ezmlm-make -+d "$l" || fail "-+d failed"
[ -f "$l/digested" ] && [ -f "$l/archived" ] && [ -f "$l/public" ] || fail "-+d lost or missed a switch: $(ls "$l")"
cmp -s "$l/key" "$w/key" || fail "-+ changed the key"
[ ! -e "$l/inlocal" ] && [ ! -e "$l/inhost" ] || fail "inlocal/inhost kept"
grep -qx 'Owner: edited' "$l/headeradd" || fail "-+ rewrote headeradd (tagged E)"
[ -L "$h/.qmail-team" ] || fail "-+ lost the link"
# -+ again with D and A: both files go.
ez ezmlm-make -+DAf "$l" || fail "-+DAf failed"
[ ! -e "$l/digested" ] && [ ! -e "$l/archived" ] && [ ! -e "$l/indexed" ] || fail "-+DA kept files: $(ls "$l")"
[ -f "$l/public" ] || fail "-+DA lost public"
[ "$(cat "$l/prefix")" = '[team]' ] || fail "prefix: $(cat "$l/prefix" 2>&1)"

# -e without -+ applies the defaults again (a p on, f off) and keeps E files.
ez ezmlm-make -e "$l" || fail "-e failed"
[ -f "$l/archived" ] && [ ! -e "$l/prefix" ] || fail "-e did not reset the switches: $(ls "$l")"
# -ed with new names: the list is renamed, so E files are rewritten.
ez ezmlm-make -ed "$l" "$h/.qmail-crew" crew example.org || fail "-ed rename failed"
[ "$(cat "$l/outlocal")" = crew ] && [ "$(cat "$l/outhost")" = example.org ] || fail "rename: $(cat "$l/outlocal" "$l/outhost")"
grep -q 'Owner: edited' "$l/headeradd" && fail "renamed list kept the old headeradd"
grep -qx 'List-Post: <mailto:crew@example.org>' "$l/headeradd" || fail "headeradd after rename: $(cat "$l/headeradd")"
[ -L "$h/.qmail-crew-default" ] || fail "no links for the new name"
[ -f "$l/digested" ] || fail "-ed did not set digested"
# -ee forces E files even without a rename.
echo 'Owner: again' >>"$l/headeradd"
ez ezmlm-make -ee "$l" || fail "-ee failed"
grep -q 'Owner: again' "$l/headeradd" && fail "-ee kept headeradd"

# A template given with -C, and its version check (a warning only).
mkdir "$w/tpl"
printf '6.0.0\n</outlocal/>\n<#L#>\n</custom/>\n<#X#> <#F#>\n' >"$w/tpl/ezmlmrc"
ez ezmlm-make -C "$w/tpl" "$dir/lists/mini" "$h/.qmail-mini" mini example.test 2>"$w/err" || fail "-C failed: $(cat "$w/err")"
grep -q '^ezmlm-make: warning: ' "$w/err" || fail "no version warning: $(cat "$w/err")"
[ "$(cat "$dir/lists/mini/custom")" = "$w/tpl -aBCDEFGHIJKLMNOpQRSTUVWXYZ" ] || fail "custom: $(cat "$dir/lists/mini/custom")"
[ -d "$dir/lists/mini/subscribers" ] || fail "-C list has no subscribers/"
# A template with a period in a tag is refused (100).
printf '7.2.2\n</../escape/>\nx\n' >"$w/tpl/ezmlmrc"
rc=0; ez ezmlm-make -C "$w/tpl" "$dir/lists/bad" "$h/.qmail-bad" bad example.test 2>"$w/err" || rc=$?
[ "$rc" = 100 ] || fail "period tag: exit $rc ($(cat "$w/err"))"
[ ! -e "$dir/escape" ] && [ ! -e "$dir/lists/escape" ] || fail "a tag escaped the list dir"
# A missing template: 100.
rc=0; ez ezmlm-make -C "$w/none" "$dir/lists/bad2" "$h/.qmail-bad2" bad2 example.test 2>"$w/err" || rc=$?
[ "$rc" = 100 ] || fail "missing template: exit $rc"
echo ok
