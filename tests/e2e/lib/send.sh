# tests/e2e/lib/send.sh — qmail-send under test with fake spawners.
#
# Usage, after new_instance (lib/instance.sh):
#   . "$LETTERSHOP_SRC/tests/e2e/lib/send.sh"
#   start_send            # qmail-send + fake lspawn/rspawn (lib/send_fake.py)
#                         # + real qmail-clean; log in $log, pid in $send_pid,
#                         # commands and message copies in $cap
#   wait_log REGEX        # until a log line matches (grep -E), else fail
#   wait_n_log REGEX N    # until N log lines match
#   stop_send             # TERM, wait, and check the exit status is 0
# The fake spawners answer by the recipient's local part: fail* -> D,
# defer* -> Z, else K (see send_fake.py).

log=$dir/send.log
cap=$dir/capture
mkdir -p "$cap"
: >"$log"

start_send() {
  python3 "$LETTERSHOP_SRC/tests/e2e/lib/send_fake.py" start "$log" \
    "$LETTERSHOP_BIN/qmail-send" "$LETTERSHOP_BIN/qmail-clean" "$cap" &
  send_pid=$!
  on_exit "kill $send_pid 2>/dev/null"
}

wait_log() {
  _i=0
  while ! grep -Eq "$1" "$log"; do
    _i=$((_i + 1))
    [ $_i -lt 200 ] || { cat "$log" >&2; fail "no log line matching: $1"; }
    sleep 0.1
  done
}

wait_n_log() {
  _i=0
  while [ "$(grep -Ec "$1" "$log")" -lt "$2" ]; do
    _i=$((_i + 1))
    [ $_i -lt 200 ] || { cat "$log" >&2; fail "fewer than $2 log lines matching: $1"; }
    sleep 0.1
  done
}

stop_send() {
  kill -TERM "$send_pid"
  _status=0
  wait "$send_pid" || _status=$?
  [ "$_status" -eq 0 ] || fail "qmail-send exited $_status after TERM"
  [ "$(tail -1 "$log")" = "status: exiting" ] || fail "last line not status: exiting: $(tail -1 "$log")"
}
