# tests/e2e/lib/remote.sh — peers for the sending side: an SMTP sink and a DNS server.
#
# Usage (after lib/instance.sh or lib/mta.sh):
#   start_sink NAME [ARGS...]   # tests/e2e/lib/smtp_sink.py --dir $dir/NAME ARGS;
#                               # sets sink_port, sink_dir, sink_pid; stopped on exit
#   route_to_sink NAME [ARGS...] # start_sink, and smtproutes sends example.net there
#   start_dns ARGS...           # dnsmasq on a free 127.0.0.1 port with ARGS
#                               # (--mx-host=..., --host-record=...); sets
#                               # dns_port and exports DNSCACHEIP; stopped on exit
#   make_cert NAME              # self-signed $dir/NAME.pem + $dir/NAME.key (CN NAME)
#   remote HOST SENDER RCPT... <MESSAGE   # qmail-remote; its reports, NUL -> newline
#                                         # after each report, in $w/reports
#   sink_files                  # the saved transactions, oldest first
#   free_port                   # a port nobody listens on right now
#
# Every peer listens on loopback only and on a port picked at run time.

PY=/usr/bin/python3

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_sink NAME [ARGS...] - a sink keeping its transactions in $dir/NAME
start_sink() {
  local name=$1
  shift
  sink_dir=$dir/$name
  mkdir -p "$sink_dir"
  rm -f "$sink_dir/port"
  "$PY" "$LETTERSHOP_SRC/tests/e2e/lib/smtp_sink.py" --dir "$sink_dir" --port-file "$sink_dir/port" "$@" \
    >"$sink_dir/out" 2>&1 &
  local pid=$!
  sink_pid=$pid
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  local i=0
  while [ ! -s "$sink_dir/port" ]; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || fail "the SMTP sink did not start: $(cat "$sink_dir/out")"
    kill -0 "$pid" 2>/dev/null || fail "the SMTP sink died: $(cat "$sink_dir/out")"
    sleep 0.05
  done
  sink_port=$(cat "$sink_dir/port")
}

# start_dns ARGS... - dnsmasq answering for the test domains only
start_dns() {
  command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || fail "dnsmasq is not installed"
  local bin=dnsmasq
  [ -x /usr/sbin/dnsmasq ] && bin=/usr/sbin/dnsmasq
  local try
  for try in 1 2 3 4 5; do
    dns_port=$(free_port)
    "$bin" -k --port="$dns_port" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
      -C /dev/null --pid-file= --user="$(id -un)" --group="$(id -gn)" --log-facility="$dir/dnsmasq.log" "$@" &
    local pid=$! i
    # up once its UDP port is taken (a bind of our own then fails)
    for i in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      "$PY" -c 'import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(sys.argv[1])))' \
        "$dns_port" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
      export DNSCACHEIP=127.0.0.1:$dns_port
      return 0
    fi
  done
  fail "dnsmasq did not start: $(cat "$dir/dnsmasq.log" 2>/dev/null)"
}

# make_cert NAME - a self-signed certificate for host NAME
make_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$dir/$1.key" -out "$dir/$1.pem" \
    >/dev/null 2>&1 || fail "openssl could not make a certificate"
}

# route_to_sink NAME [ARGS...] - a sink that control/smtproutes sends example.net to
route_to_sink() {
  start_sink "$@"
  echo "example.net:127.0.0.1:$sink_port" >"$QMAILHOME/control/smtproutes"
}

# remote HOST SENDER RCPT... - run qmail-remote; reports in $w/reports, one per line
remote() {
  "$LETTERSHOP_BIN/qmail-remote" "$@" >"$w/raw" 2>"$w/err" || fail "qmail-remote exited $? ($(cat "$w/err"))"
  tr '\0' '\036' <"$w/raw" | sed 's/\x1e/\n--\n/g' >"$w/reports"
}

# sink_files - the transactions the sink saved
sink_files() {
  ls "$sink_dir"/*.txn 2>/dev/null | sort -t/ -k1 -V || true
}
