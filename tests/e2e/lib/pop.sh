# tests/e2e/lib/pop.sh — qmail-popup + vcheckpassword + qmail-pop3d under
# tcpserver on 127.0.0.1, on top of lib/virtual.sh.
#
#   set_password DOMAIN NAME PASSWORD   # a yescrypt hash in etc/passwd
#   start_pop [ENV=VALUE...]            # the server; $pop_port
#   start_pop_systemd                   # the same under systemd-socket-activate
#                                       # (Accept=yes, the connection on fd 0/1)
#   pop ARGS...                         # tests/e2e/lib/pop_client.py ARGS
#
# Every server is stopped when the scenario ends.
. "$LETTERSHOP_SRC/tests/e2e/lib/virtual.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"

# set_password DOMAIN NAME PASSWORD - replace NAME's password field
set_password() {
  "$PY" -W ignore - "$prefix/$1/etc/passwd" "$2" "$3" <<'PYEOF'
import crypt, ctypes, sys
path, name, password = sys.argv[1:]
lib = ctypes.CDLL("libcrypt.so.1")
lib.crypt_gensalt.restype = ctypes.c_char_p
h = crypt.crypt(password, lib.crypt_gensalt(b"$y$", 0, None, 0).decode())
lines = open(path).read().splitlines()
out = [l if l.split(":")[0] != name else ":".join([name, h] + l.split(":")[2:]) for l in lines]
open(path, "w").write("\n".join(out) + "\n")
PYEOF
}

# start_pop [ENV=VALUE...] - tcpserver on a free port running the chain
start_pop() {
  pop_port=$(free_port)
  _pop_chain
  env "$@" tcpserver -q -HR 127.0.0.1 "$pop_port" "${pop_chain[@]}" 2>"$dir/pop.err" &
  _pop_wait $!
}

# start_pop_systemd - systemd's socket activation helper instead of tcpserver;
# like systemd it passes only the environment asked for (QMAILHOME)
start_pop_systemd() {
  pop_port=$(free_port)
  _pop_chain
  systemd-socket-activate --inetd -a -E QMAILHOME -l "127.0.0.1:$pop_port" "${pop_chain[@]}" 2>"$dir/pop.err" &
  _pop_wait $!
}

# _pop_chain - the programs, in $pop_chain (after virtual_instance set $prefix)
_pop_chain() {
  pop_chain=("$LETTERSHOP_BIN/qmail-popup" pop.test
    "$LETTERSHOP_BIN/vcheckpassword" -p "$prefix" -d 1
    "$LETTERSHOP_BIN/qmail-pop3d" Maildir)
}

_pop_wait() {
  local pid=$1
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  local i=0
  until "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $pop_port), timeout=1).close()" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "tcpserver did not start on port $pop_port: $(cat "$dir/pop.err")"
    sleep 0.1
  done
}

pop() {
  "$PY" "$LETTERSHOP_SRC/tests/e2e/lib/pop_client.py" "$@"
}
