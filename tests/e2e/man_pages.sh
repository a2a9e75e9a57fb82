#!/bin/bash
# man_pages — every program has a man page, and every page is clean.
#
#   1. each program in $LETTERSHOP_BIN has man/man<N>/<program>.<N>;
#   2. each page under man/ sits in the folder of its own section and is
#      silent under `mandoc -Tlint -Wwarning` (no warnings, no errors).
set -euo pipefail
: "${LETTERSHOP_BIN:?set by ctest}" "${LETTERSHOP_SRC:?set by ctest}"

man=$LETTERSHOP_SRC/man
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

[[ -d $LETTERSHOP_BIN ]] || { echo "FAIL: no program folder $LETTERSHOP_BIN" >&2; exit 1; }
command -v mandoc > /dev/null || { echo "FAIL: mandoc not installed (scripts/deps)" >&2; exit 1; }

programs=0
for prog in "$LETTERSHOP_BIN"/*; do
  [[ -f $prog && -x $prog ]] || continue
  name=${prog##*/}
  programs=$((programs + 1))
  pages=("$man"/man[1-8]/"$name".[1-8])
  [[ -e ${pages[0]} ]] || fail "$name has no man page (expected e.g. man/man8/$name.8)"
done

if ((programs == 0)); then
  fail "no programs in $LETTERSHOP_BIN"
fi

shopt -s nullglob
checked=0
for page in "$man"/man*/*; do
  [[ -f $page ]] || continue
  checked=$((checked + 1))
  rel=${page#"$LETTERSHOP_SRC"/}
  dir=${page%/*}
  dir=${dir##*/man}
  [[ $page == *."$dir" ]] || fail "$rel: section suffix does not match folder man$dir"
  out=$(mandoc -Tlint -Wwarning "$page" 2>&1) || true
  if [[ -n $out ]]; then
    fail "$rel is not clean under mandoc -Tlint -Wwarning:"
    printf '%s\n' "$out" >&2
  fi
done

echo "$programs programs, $checked man pages checked"
exit $failed
