#!/bin/bash
# Root mode: qmail's privilege split, for real (reference 0.5, 1.1, 3.3, 5.2, 6.2).
#
# Everything else runs in sandboxes where every program is the caller. Here
# the scenario runs as root in a private mount namespace (lib/rootns.sh:
# private /etc, the instance is /var/qmail) and checks what the sandbox
# cannot:
#   - qmail-setup without --sandbox creates qmail's users and groups and
#     gives the queue, the trigger and the programs qmail's owners and modes;
#   - qmail-start runs qmail-send as qmails, qmail-lspawn as root,
#     qmail-rspawn as qmailr and qmail-clean as qmailq;
#   - the setuid qmail-queue (which ignores $QMAILHOME) writes "invoked by
#     uid 0" for root, "invoked by uid N" for fred and "invoked for bounce"
#     for qmail-send's bounce;
#   - qmail-local delivers as the recipient: ~fred/Mailbox is fred's, and a
#     program delivery runs with fred's uid and only fred's primary gid,
#     even though fred belongs to a supplementary group;
#   - postmaster reaches the alias Maildir; TERM ends with "status: exiting";
#   - qmail-smtpd's server mode run as qmaild: its persistent qmail-queue
#     --serve runs as qmailq and writes "invoked from network";
#   - a one-click list post is rendered before qmail-lspawn becomes the
#     recipient (its renderer runs as qmailp): neither fred's program nor
#     his qmail-local (read through /proc) holds the marker.
# Serial: it creates accounts and mounts (in its own namespace) and runs the
# whole mail system; it skips only when not root or without namespaces.
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/rootns.sh"
# The sanitizer build cannot run this scenario: the setuid qmail-queue is
# not dumpable, so its LeakSanitizer dies at exit ("LeakSanitizer has
# encountered a fatal error") and qmail-inject reports a temporary failure;
# ASAN_OPTIONS=detect_leaks=0 does not help, as ASan reads it from
# /proc/self/environ, which such a process cannot open. (qmail-send and
# qmail-local, which setuid() away from root, are not dumpable either.)
# The release build runs it in full.
if grep -q __asan_init "$LETTERSHOP_BIN/qmail-queue" 2>/dev/null; then
  echo "SKIP: root mode cannot run under LeakSanitizer (setuid and uid-changing programs); the release build runs it"
  exit 0
fi
rootns_enter "$0" "$@"
rootns_setup

dir=/var/qmail
mta_log=$rootns_tmp/log
: >"$mta_log"
on_exit 'kill_mta_quietly'

clean_env=(env - PATH=/usr/bin:/bin QMAILHOME="$dir")

# --- accounts and the instance -------------------------------------------------

for name in alias qmaild qmaill qmailp qmailq qmailr qmails fred; do
  if id "$name" >/dev/null 2>&1; then fail "account $name already exists on this machine; cannot test creating it"; fi
done
mkdir -m 0755 "$rootns_tmp/home"
groupadd fredextra || fail "groupadd fredextra"
useradd -d "$rootns_tmp/home/fred" -s /bin/sh -G fredextra fred || fail "useradd fred"
install -d -m 0755 -o fred -g fred "$rootns_tmp/home/fred"
fred_home=$rootns_tmp/home/fred
fred_uid=$(id -u fred)
fred_gid=$(id -g fred)
[ "$(id -G fred | wc -w)" = 2 ] || fail "fred should have a supplementary group: $(id fred)"

setup_out=$("$LETTERSHOP_BIN/qmail-setup" "$dir" --me example.test 2>&1) ||
  fail "qmail-setup (root mode) failed: $setup_out"
[ ! -e "$dir/sandbox" ] || fail "root mode wrote the sandbox marker"
for name in alias qmaild qmaill qmailp qmailq qmailr qmails; do
  id "$name" >/dev/null 2>&1 || fail "qmail-setup did not create user $name; output: $setup_out"
done
for name in qmail nofiles; do
  getent group "$name" >/dev/null || fail "qmail-setup did not create group $name; output: $setup_out"
done

# owner_mode PATH USER:GROUP MODE - stat says so (MODE as stat %a prints it)
owner_mode() {
  local got
  got=$(stat -c '%U:%G %a' "$1") || fail "cannot stat $1"
  [ "$got" = "$2 $3" ] || fail "$1 is $got, want $2 $3"
}
owner_mode "$dir/queue" qmailq:qmail 750
owner_mode "$dir/queue/mess/0" qmailq:qmail 750
owner_mode "$dir/queue/info/0" qmails:qmail 700
owner_mode "$dir/queue/lock/trigger" qmails:qmail 622
[ -p "$dir/queue/lock/trigger" ] || fail "queue/lock/trigger is not a fifo"
owner_mode "$dir/bin/qmail-queue" qmailq:qmail 4711
[ "$(stat -c %a "$dir/bin/qmail-lspawn")" = 700 ] ||
  fail "bin/qmail-lspawn has mode $(stat -c %a "$dir/bin/qmail-lspawn"), want 700"
[ ! -L "$dir/bin/qmail-queue" ] || fail "bin/qmail-queue is a symlink; a setuid program must be a copy"

# --- the running system --------------------------------------------------------

# (lib/mta.sh's start_mta, with the instance's fixed QMAILHOME)
"${clean_env[@]}" "$dir/bin/qmail-start" ./Mailbox >>"$mta_log" 2>&1 </dev/null &
mta_pid=$!
wait_log '^status: local 0/10 remote 0/20$' 10

# ps_user NAME - the user of the one running process called NAME under qmail-send
ps_user() {
  local pids p users=""
  pids=$(mta_tree "$mta_pid")
  for p in $pids; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$1" ] && users="$users $(ps -o user= -p "$p")"
  done
  echo "${users# }"
}
[ "$(ps -o user= -p "$mta_pid")" = qmails ] || fail "qmail-send runs as $(ps -o user= -p "$mta_pid"), not qmails"
[ "$(cat /proc/"$mta_pid"/comm)" = qmail-send ] || fail "pid $mta_pid is $(cat /proc/"$mta_pid"/comm), not qmail-send"
[ "$(ps_user qmail-lspawn)" = root ] || fail "qmail-lspawn runs as '$(ps_user qmail-lspawn)', not root"
[ "$(ps_user qmail-rspawn)" = qmailr ] || fail "qmail-rspawn runs as '$(ps_user qmail-rspawn)', not qmailr"
[ "$(ps_user qmail-clean)" = qmailq ] || fail "qmail-clean runs as '$(ps_user qmail-clean)', not qmailq"

# --- deliveries ----------------------------------------------------------------

box=$fred_home/Mailbox
# mbox_message SUBJECT - the message of ~fred/Mailbox whose Subject is SUBJECT
mbox_message() {
  SUBJ=$1 awk '/^From / { if (hit) exit; msg = "" } { msg = msg $0 "\n" }
    $0 == "Subject: " ENVIRON["SUBJ"] { hit = 1 } END { if (hit) printf "%s", msg }' "$box"
}
received_re() {
  echo "Received: \\(qmail [0-9]+ invoked $1\\); $date822_re"
}

# 1. Injected by root.
printf 'To: fred@example.test\nSubject: from root\n\nhello\n' |
  "${clean_env[@]}" "$dir/bin/qmail-inject" -froot@example.test ||
  fail "qmail-inject as root exited $?"
wait_log '^end msg [0-9]+$'
wait_queue_empty
[ -f "$box" ] || fail "no ~fred/Mailbox; log: $(cat "$mta_log")"
owner_mode "$box" fred:fred 600
mbox_message 'from root' | grep -Eqx "$(received_re 'by uid 0')" ||
  fail "the message from root has no 'invoked by uid 0' line: $(mbox_message 'from root')"

# 2. Injected by fred.
printf 'To: fred@example.test\nSubject: from fred\n\nhello\n' |
  runuser -u fred -- "${clean_env[@]}" "$dir/bin/qmail-inject" -ffred@example.test ||
  fail "qmail-inject as fred exited $?"
for _ in $(seq 1 200); do
  [ -n "$(mbox_message 'from fred')" ] && break
  sleep 0.1
done
mbox_message 'from fred' | grep -Eqx "$(received_re "by uid $fred_uid")" ||
  fail "the message from fred has no 'invoked by uid $fred_uid' line: $(mbox_message 'from fred'); log: $(cat "$mta_log")"

# 3. A bounce back to fred, queued by qmail-send (qmails).
printf 'To: nonexistent@example.test\nSubject: to nobody\n\nhello\n' |
  runuser -u fred -- "${clean_env[@]}" "$dir/bin/qmail-inject" -ffred@example.test ||
  fail "qmail-inject of the bouncing message exited $?"
for _ in $(seq 1 300); do
  [ -n "$(mbox_message 'failure notice')" ] && break
  sleep 0.1
done
bounce=$(mbox_message 'failure notice')
[ -n "$bounce" ] || fail "no bounce in ~fred/Mailbox within 30 s; log: $(cat "$mta_log")"
echo "$bounce" | grep -Eqx "$(received_re 'for bounce')" ||
  fail "the bounce has no 'invoked for bounce' line: $bounce"
echo "$bounce" | grep -q 'nonexistent@example.test' || fail "the bounce does not name the recipient: $bounce"
# qmail-send queued it: the info line names qmails' uid.
grep -Eq "^info msg [0-9]+: bytes [0-9]+ from <> qp [0-9]+ uid $(id -u qmails)\$" "$mta_log" ||
  fail "no 'info msg ... from <> ... uid $(id -u qmails)' line for the bounce; log: $(cat "$mta_log")"
owner_mode "$box" fred:fred 600

# 4. postmaster: the alias home's .qmail-postmaster (qmail-setup: ./Maildir/).
printf 'To: postmaster@example.test\nSubject: to postmaster\n\nhello\n' |
  "${clean_env[@]}" "$dir/bin/qmail-inject" -froot@example.test ||
  fail "qmail-inject to postmaster exited $?"
for _ in $(seq 1 200); do
  [ -n "$(ls -A "$dir/alias/Maildir/new")" ] && break
  sleep 0.1
done
pm=$(ls -A "$dir/alias/Maildir/new")
[ "$(echo "$pm" | wc -w)" = 1 ] || fail "alias Maildir/new holds '$pm', want one message; log: $(cat "$mta_log")"
grep -qx 'Subject: to postmaster' "$dir/alias/Maildir/new/$pm" || fail "the postmaster message is not in alias/Maildir"
[ "$(stat -c %U "$dir/alias/Maildir/new/$pm")" = alias ] ||
  fail "the postmaster message belongs to $(stat -c %U "$dir/alias/Maildir/new/$pm"), not alias"

# 5. A program delivery runs as fred, primary gid only (TEST.deliver step 8).
uidfile=$fred_home/groups.out
echo "|id -u > $uidfile; id -G >> $uidfile" >"$fred_home/.qmail-groups"
chown fred:fred "$fred_home/.qmail-groups"
chmod 0644 "$fred_home/.qmail-groups"
printf 'To: fred-groups@example.test\nSubject: groups\n\nhello\n' |
  "${clean_env[@]}" "$dir/bin/qmail-inject" -froot@example.test ||
  fail "qmail-inject to fred-groups exited $?"
for _ in $(seq 1 200); do
  [ -f "$uidfile" ] && [ "$(wc -l <"$uidfile")" -ge 2 ] && break
  sleep 0.1
done
[ -f "$uidfile" ] || fail "the program of ~fred/.qmail-groups did not run; log: $(cat "$mta_log")"
want=$(printf '%s\n%s' "$fred_uid" "$fred_gid")
[ "$(cat "$uidfile")" = "$want" ] ||
  fail "the program ran as '$(tr '\n' ' ' <"$uidfile")', want uid $fred_uid and only gid $fred_gid"
wait_queue_empty

# 6. A one-click list post (ezmlm-send's marker, which holds the message's
# key): qmail-lspawn has it rendered (by a child running as qmailp) before
# it becomes fred, so fred's program gets his copy, and his qmail-local
# holds that copy too. With qmail's mode 0711 qmail-local is not dumpable
# and fred cannot look into it; a package may install it 0755, and then
# any program of fred's could reopen its fd 0 through /proc, and the queue
# file is 0644: so here it is 0755.
chmod 0755 "$dir/bin/qmail-local"
seen=$fred_home/oneclick.fd0
copy=$fred_home/oneclick.copy
echo "|cat /proc/\$PPID/fd/0 > $seen; cat > $copy" >"$fred_home/.qmail-oneclick"
chown fred:fred "$fred_home/.qmail-oneclick"
chmod 0644 "$fred_home/.qmail-oneclick"
key=$(echo root-mode | sha256sum | cut -c1-64)
printf 'X-Lettershop-Oneclick: v1 l=team@example.test n=1 t=%s k=%s u=https://lists.example.test/oneclick\nTo: team@example.test\nSubject: one click\n\nhello\n' \
  "$(date +%s)" "$key" |
  "${clean_env[@]}" "$dir/bin/qmail-inject" -froot@example.test fred-oneclick@example.test ||
  fail "qmail-inject to fred-oneclick exited $?"
for _ in $(seq 1 200); do
  [ -s "$copy" ] && break
  sleep 0.1
done
[ -s "$copy" ] || fail "the program of ~fred/.qmail-oneclick did not run; log: $(cat "$mta_log")"
grep -q '^List-Unsubscribe: <mailto:team-unsubscribe-fred-oneclick%3Dexample.test@example.test>' "$copy" ||
  fail "fred's copy is not rendered for him: $(cat "$copy")"
# (the copy is root's, mode 0600: reopening it through /proc is refused, which is fine too)
if grep -qi '^X-Lettershop-Oneclick' "$copy" "$seen"; then fail "the marker reached a process of fred's"; fi
[ "$(stat -c %U "$copy")" = fred ] || fail "the program did not run as fred"
wait_queue_empty

# 7. qmail-smtpd in server mode as qmaild (as its systemd unit runs it): the
# listening socket on fd 0, two workers, each with one setuid qmail-queue
# --serve. Three messages over three connections reach ~fred/Mailbox as
# queued "from network"; the queue servers run as qmailq.
runuser -u qmaild -g nofiles -- true || fail "runuser cannot become qmaild:nofiles"
/usr/bin/python3 - "$dir" "$rootns_tmp" <<'PY' || fail "server mode as qmaild failed; log: $(cat "$rootns_tmp/smtpd.log" 2>/dev/null)"
import os, pwd, signal, smtplib, socket, subprocess, sys, time
home = sys.argv[1]
lst = socket.socket(); lst.bind(("127.0.0.1", 0)); lst.listen(8)
port = lst.getsockname()[1]
log = open(sys.argv[2] + "/smtpd.log", "w")
srv = subprocess.Popen(["runuser", "-u", "qmaild", "-g", "nofiles", "--", "env", "-", "PATH=/usr/bin:/bin",
                        "QMAILHOME=" + home, home + "/bin/qmail-smtpd", "-c", "2"], stdin=lst, stderr=log)
lst.close()
try:
    replies = []
    for i in range(3):
        s = smtplib.SMTP("127.0.0.1", port, timeout=10)
        s.ehlo("client.example")
        s.mail("a@remote.example"); s.rcpt("fred@example.test")
        replies.append(s.data(b"Subject: by smtp %d\r\n\r\nhello\r\n" % i))
        s.quit()
    assert all(code == 250 for code, _ in replies), replies
    qps = {int(text.split()[-1]) for _, text in replies}
    qmailq = pwd.getpwnam("qmailq").pw_uid
    for qp in qps:
        with open(f"/proc/{qp}/status") as f:
            uids = next(l for l in f if l.startswith("Uid:")).split()[1:]
        assert int(uids[1]) == qmailq, ("qmail-queue --serve euid", uids)
        assert int(uids[0]) == pwd.getpwnam("qmaild").pw_uid, ("qmail-queue --serve real uid", uids)
finally:
    # runuser forks: the server is its child; TERM the whole group of qmail-smtpd processes.
    subprocess.run(["pkill", "-TERM", "-u", "qmaild", "-x", "qmail-smtpd"])
    srv.wait(timeout=20)
PY
for i in 0 1 2; do
  for _ in $(seq 1 200); do
    [ -n "$(mbox_message "by smtp $i")" ] && break
    sleep 0.1
  done
  mbox_message "by smtp $i" | grep -Eqx "$(received_re 'from network')" ||
    fail "message $i by SMTP has no 'invoked from network' line: $(mbox_message "by smtp $i"); log: $(cat "$mta_log")"
done
for _ in $(seq 1 50); do
  pgrep -u qmaild -x qmail-smtpd >/dev/null || break
  sleep 0.1
done
if pgrep -u qmaild -x qmail-smtpd >/dev/null; then fail "qmail-smtpd processes left after TERM"; fi
wait_queue_empty

stop_mta
