#!/bin/bash
# program_flags — every program answers --help and --version.
#
# Each program in $LETTERSHOP_BIN, run with `--help` and then `--version`
# as its only argument, exits 0 and prints on stdout a non-empty text that
# mentions the program's own name.  stdin is /dev/null and QMAILHOME an
# empty folder, so a program that wrongly goes on to do its job (read a
# message, open the queue) fails instead of touching anything real.
set -euo pipefail
: "${LETTERSHOP_BIN:?set by ctest}"

[[ -d $LETTERSHOP_BIN ]] || { echo "FAIL: no program folder $LETTERSHOP_BIN" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QMAILHOME=$work/home
mkdir "$QMAILHOME"

failed=0
programs=0
for prog in "$LETTERSHOP_BIN"/*; do
  [[ -f $prog && -x $prog ]] || continue
  name=${prog##*/}
  programs=$((programs + 1))
  for flag in --help --version; do
    rc=0
    timeout 20 "$prog" "$flag" < /dev/null > "$work/out" 2> "$work/err" || rc=$?
    problem=
    if [[ $rc != 0 ]]; then
      problem="exit $rc"
    elif [[ ! -s $work/out ]]; then
      problem="nothing on stdout"
    elif ! grep -qF -- "$name" "$work/out"; then
      problem="stdout does not mention '$name'"
    fi
    if [[ -n $problem ]]; then
      failed=1
      echo "FAIL: $name $flag: $problem" >&2
      sed 's/^/  stdout: /' "$work/out" >&2
      sed 's/^/  stderr: /' "$work/err" >&2
    fi
  done
done

if ((programs == 0)); then
  echo "FAIL: no programs in $LETTERSHOP_BIN" >&2
  exit 1
fi
if ((failed)); then
  echo "FAIL: not every one of $programs programs answers --help and --version" >&2
  exit 1
fi
echo "all $programs programs answer --help and --version"
