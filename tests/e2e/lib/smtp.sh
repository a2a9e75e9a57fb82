# tests/e2e/lib/smtp.sh — qmail-smtpd and qmail-qmtpd under tcpserver, for
# the smtpd_* scenarios.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/smtp.sh"
#   smtp_instance                 # mta_instance + rcpthosts example.test
#   start_smtpd [VAR=value...]    # tcpserver on 127.0.0.1:$smtp_port running
#                                 # qmail-smtpd with those variables set
#   start_smtpd6 [VAR=value...]   # the same on ::1
#   start_qmtpd [VAR=value...]    # qmail-qmtpd, port $qmtp_port
#   stop_servers                  # (also done on exit)
#   make_cert                     # self-signed cert+key in control/servercert.pem
#   queued_count                  # messages in the queue (qmail-qstat)
#   queued_message                # the text of the only queued message
#   PY=/usr/bin/python3           # the Python with Debian's modules
#
# tcpserver says nothing about its port, so a free port is found first
# (bind port 0 in Python, read it back, close) and tcpserver started on it;
# if another test took the port in between, tcpserver exits and we retry
# with a new one. tcpserver -l names the local host $smtpd_localname
# (default example.test). Servers get a clean environment apart from QMAILHOME,
# PATH, the sanitizer settings and the given variables.

. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"

PY=/usr/bin/python3
_smtp_pids=""

# smtp_instance - a sandbox instance that accepts mail for example.test
smtp_instance() {
  mta_instance
  echo example.test >"$dir/control/rcpthosts"
  on_exit 'stop_servers'
}

# free_port HOST - a port on HOST that was free a moment ago
free_port() {
  "$PY" -c 'import socket,sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}

# _start_tcpserver HOST PROGRAM VAR=value... - prints nothing; sets $_port
_start_tcpserver() {
  local host=$1 prog=$2 try keep="" v
  shift 2
  for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
    if [ -n "$(printenv "$v" || true)" ]; then keep="$keep $v=$(printenv "$v")"; fi
  done
  for try in 1 2 3; do
    _port=$(free_port "$host")
    # shellcheck disable=SC2086 # $keep: NAME=value words without spaces
    env - PATH="$MTA_PATH" QMAILHOME="$dir" $keep "$@" \
      tcpserver -HRl "${smtpd_localname:-example.test}" "$host" "$_port" "$dir/bin/$prog" 2>>"$dir/tcpserver.log" &
    local pid=$! i
    for i in $(seq 1 50); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if "$PY" -c 'import socket,sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam); s.settimeout(1); s.connect((sys.argv[1], int(sys.argv[2])))' "$host" "$_port" 2>/dev/null; then
        _smtp_pids="$_smtp_pids $pid"
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  fail "tcpserver for $prog did not start; $(cat "$dir/tcpserver.log")"
}

# start_smtpd [VAR=value...] - qmail-smtpd on 127.0.0.1:$smtp_port
start_smtpd() {
  _start_tcpserver 127.0.0.1 qmail-smtpd "$@"
  smtp_port=$_port
}

# start_smtpd6 [VAR=value...] - qmail-smtpd on [::1]:$smtp6_port
start_smtpd6() {
  _start_tcpserver ::1 qmail-smtpd "$@"
  smtp6_port=$_port
}

# start_qmtpd [VAR=value...] - qmail-qmtpd on 127.0.0.1:$qmtp_port
start_qmtpd() {
  _start_tcpserver 127.0.0.1 qmail-qmtpd "$@"
  qmtp_port=$_port
}

# stop_servers - stop every tcpserver this scenario started
stop_servers() {
  local pid
  for pid in $_smtp_pids; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  _smtp_pids=""
}

# make_cert - a self-signed certificate for example.test with its key in control/servercert.pem
make_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=example.test -keyout "$dir/cert.key" -out "$dir/cert.pem" 2>/dev/null ||
    fail "openssl could not make a certificate"
  cat "$dir/cert.pem" "$dir/cert.key" >"$dir/control/servercert.pem"
  chmod 600 "$dir/control/servercert.pem"
}

# queued_count - how many messages sit in the queue
queued_count() {
  find "$dir/queue/mess" -type f | wc -l
}

# queued_message - the text of the only queued message
queued_message() {
  local f
  f=$(find "$dir/queue/mess" -type f)
  [ "$(echo "$f" | grep -c .)" = 1 ] || fail "want exactly one queued message, have: $f"
  cat "$f"
}

# queued_envelope - the records of the only queued message's todo/info+local+remote
# files, NUL bytes made newlines (before qmail-send runs: the todo file)
queued_envelope() {
  local f
  f=$(find "$dir/queue/todo" "$dir/queue/intd" -type f 2>/dev/null | head -1)
  [ -n "$f" ] || fail "no queued envelope"
  tr '\0' '\n' <"$f"
}
