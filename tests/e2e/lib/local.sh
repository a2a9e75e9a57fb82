# tests/e2e/lib/local.sh — running qmail-local directly, as qmail-lspawn will.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/local.sh"
#   local_instance                  # new_instance + $work (scratch) + $msg
#   home=$(local_home joe)          # $dir/home/joe, mode 0755
#   local_run [-n] HOME LOCAL DASH EXT [SENDER [DEFAULTDELIVERY]]
#                                   # runs qmail-local with $msg on fd 0;
#                                   # exit code in $rc, report in $out
#   local_expect RC TEXT            # asserts $rc and that $out contains TEXT
#
# The user name is the home's basename, the domain example.test, the sender
# s@example.org and the default delivery ./Mailbox unless given.

. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"

# local_instance - a sandbox instance plus a scratch folder and a message
local_instance() {
  new_instance
  work=$dir/work
  mkdir -p "$work" "$dir/home"
  msg=$work/msg
  printf 'From: s@example.org\nSubject: test\n\nFrom the start\nbody line\n' >"$msg"
}

# local_home NAME - create a home directory and print its path
local_home() {
  mkdir -p "$dir/home/$1"
  chmod 0755 "$dir/home/$1"
  echo "$dir/home/$1"
}

# local_run [-n] HOME LOCAL DASH EXT [SENDER [DEFAULTDELIVERY]]
local_run() {
  flag=
  if [ "$1" = -n ]; then flag=-n; shift; fi
  set +e
  out=$("$LETTERSHOP_BIN/qmail-local" $flag -- "$(basename "$1")" "$1" "$2" "$3" "$4" example.test \
    "${5-s@example.org}" "${6-./Mailbox}" <"$msg" 2>&1)
  rc=$?
  set -e
}

# local_expect RC TEXT - the last run exited RC and its report contains TEXT
local_expect() {
  [ "$rc" -eq "$1" ] || fail "exit $rc, want $1; report: $out"
  case "$out" in
    *"$2"*) ;;
    *) fail "report lacks '$2': $out" ;;
  esac
}
