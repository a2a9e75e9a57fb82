#!/bin/bash
# e2e: ezmlm-tstdig (ezmlm-idx test 125; reference ezmlm.md 3.2): -t/-k/-m
# and the digtime/digsize/digcount files, the LOCAL/DEFAULT rules, no num,
# usage errors, and the editor's claim in DIR/tstdig.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list

t() {  # t WANT ARGS...: ezmlm-tstdig ARGS DIR must exit WANT
  local want=$1 rc=0
  shift
  ez ezmlm-tstdig "$@" "$d" 2>"$w/err" || rc=$?
  [ $rc = "$want" ] || fail "ezmlm-tstdig $* (LOCAL=${LOCAL-unset} DEFAULT=${DEFAULT-unset}): exit $rc, want $want: $(cat "$w/err")"
}

# No num: never due.
t 99 -t0 -m0 -k0
t 99 -t1
echo "5:10" >"$d/num"
now=$(date +%s)
echo "3:2:$now" >"$d/dignum"
t 99 -t1 -m0 -k0        # last digest just now
t 0 -t0 -m2 -k0         # 2 messages since
t 99 -t0 -m3 -k0
t 0 -t0 -m0 -k2         # 8 units since = 2 kbytes
t 99 -t0 -m0 -k3
t 99 -t0 -m0 -k0
echo "3:2:$((now - 7200))" >"$d/dignum"
t 0 -t1 -m0 -k0         # two hours since
t 99 -t3 -m0 -k0
t 99 -t0 -m0 -k0 -m0
# The files, and the switches over them.
echo 2 >"$d/digcount"; echo 0 >"$d/digtime"; echo 0 >"$d/digsize"
t 0
t 99 -m4
echo 3 >"$d/digcount"
t 99
echo 1 >"$d/digtime"
t 0
rm "$d/digcount" "$d/digtime" "$d/digsize"

# Manager: DEFAULT not starting "dig", or starting "digest-", passes (0).
export LOCAL=list-xx DEFAULT=xx
t 0 -t0 -m0 -k0
LOCAL=list-digest-subscribe DEFAULT=digest-subscribe
t 0 -t0 -m0 -k0
LOCAL=list-dig. DEFAULT=dig.
t 99 -t0 -m0 -k0        # evaluated
t 0 -t1
# Editor (LOCAL, no DEFAULT): a due digest is claimed once.
unset DEFAULT
LOCAL=list
rm -f "$d/tstdig"
t 99 -t0 -m0 -k0
[ ! -e "$d/tstdig" ] || fail "tstdig written when not due"
t 0 -t1
grep -Eq '^[0-9]{9,}$' "$d/tstdig" || fail "tstdig: $(cat "$d/tstdig")"
t 99 -t1                # claimed less than an hour ago, after the last digest
echo "$((now - 7200))" >"$d/tstdig"
t 0 -t1                 # the claim lapsed
echo "$((now - 8000))" >"$d/tstdig"
t 0 -t1                 # claimed before the last digest
unset LOCAL

# Usage: options after DIR, bad numbers, no DIR.
rc=0; ez ezmlm-tstdig "$d" -t1 2>/dev/null || rc=$?
[ $rc = 100 ] || fail "option after DIR: exit $rc"
rc=0; ez ezmlm-tstdig -tx "$d" 2>/dev/null || rc=$?
[ $rc = 100 ] || fail "-tx: exit $rc"
rc=0; ez ezmlm-tstdig 2>/dev/null || rc=$?
[ $rc = 100 ] || fail "no DIR: exit $rc"
rc=0; ez ezmlm-tstdig "$ez/nonexistent" 2>/dev/null || rc=$?
[ $rc = 111 ] || fail "missing DIR: exit $rc"
exit 0
