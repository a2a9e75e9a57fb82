# bench/lib/common.sh - helpers shared by bench/queue and bench/local.
# shellcheck shell=bash
#
# The caller provides HERE (bench/), REPO, WORK (the run's folder), MSG (the
# message file), TRACE_SET (the strace syscall set), PROGRAMS (the programs
# it runs) and die.

# log TEXT: a time-stamped line on stderr
log() { echo "[$(date +%T)] $*" >&2; }
# elapsed T0 T1 / rate N SECONDS: seconds and messages per second, printed
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }'; }
# result TEXT: a line of results.txt, also shown
result() { echo "$*" >> "$WORK/results.txt"; echo "  $*"; }

# probe ROUND: bench/lib/fsync_probe.py's disk figures, as a result line
probe() {
  local dir=${PROBE_DIR:-$WORK/probe}
  mkdir -p "$dir"
  result "probe round=$1 $(python3 "$HERE/lib/fsync_probe.py" "$dir" 200)"
}

# trace_loop OUT N CMD...: strace a serial loop of N injections.
trace_loop() {
  local out=$1 n=$2; shift 2
  # shellcheck disable=SC2016 # the loop's variables are bash -c's own
  strace -f -qq -o "$out" -e trace="$TRACE_SET" \
    bash -c 'n=$1 msg=$2; shift 2; for ((i = 0; i < n; i++)); do "$@" < "$msg"; done' \
    _ "$n" "$MSG" "$@"
}

# find_ours: BIN=$LETTERSHOP_BIN, or build/release/bin (built if a program
# of PROGRAMS is missing there); dies if one is still missing
find_ours() {
  BIN=${LETTERSHOP_BIN:-$REPO/build/release/bin}
  local p missing=0
  for p in $PROGRAMS; do [ -x "$BIN/$p" ] || missing=1; done
  if [ "$missing" = 1 ] && [ -z "${LETTERSHOP_BIN:-}" ]; then
    log "building $REPO/build/release"
    cmake -S "$REPO" -B "$REPO/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    ninja -C "$REPO/build/release" -j2 >/dev/null
  fi
  for p in $PROGRAMS; do [ -x "$BIN/$p" ] || die "$BIN/$p is missing"; done
}
