#!/bin/bash
# RFC 8058 one-click unsubscription end to end (issue 12), with real peers:
# the mail system, an SMTP sink, dnsmasq for the DKIM keys, dkimpy, and
# lighttpd (TLS, self-signed certificate) running ezmlm-oneclick as CGI.
#   1. a list with a base URL (DIR/oneclickurl), one local and three remote
#      subscribers (one of them refused by the sink); a post through
#      qmail-send: every remote copy reaches the sink in a transaction of
#      its own, with List-Unsubscribe (mailto + https, the recipient's own
#      token) and List-Unsubscribe-Post, without the internal marker, and
#      both DKIM signatures verify with dkimpy; the local subscriber's
#      Maildir copy is rendered for her, and her qmail-local is given that
#      copy (qmail-lspawn renders it): a program of hers reading its fd 0
#      through /proc finds no marker;
#   2. qmail-remote by hand: the same queued message to three recipients
#      at once gives three transactions on one connection (RSET after the
#      refused one), each copy with its own token and valid signatures; a
#      message without the marker still goes in ONE transaction, all RCPTs;
#   3. through lighttpd with curl: GET shows the confirmation form and
#      unsubscribes nobody; POST List-Unsubscribe=One-Click removes the
#      address (200, Log "-oneclick"); the second POST is 410; a forged
#      token is 403 and a POST without the body 400, both changing nothing;
#      after re-subscription the old link is refused (403).
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/remote.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
need_programs ezmlm-make ezmlm-send ezmlm-sub ezmlm-list ezmlm-oneclick dkimkey qmail-remote
lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
[ -x "$lighttpd" ] || fail "lighttpd is not installed (scripts/deps)"
command -v curl >/dev/null || fail "curl is not installed"
"$PY" -c 'import dkim, nacl, dns.resolver' 2>/dev/null || fail "python3-dkim missing (scripts/deps)"
mta_instance
ezmlm_env "$dir"
list_users alice
w=$dir/w
mkdir -p "$w"
dkimpy() { "$PY" "$LETTERSHOP_SRC/tests/e2e/lib/dkimpy_tool.py" "$@"; }
# header FILE NAME - the unfolded value of the first NAME field of a message or sink transaction
header() {
  "$PY" - "$1" "$2" <<'PY'
import sys, email.parser, email.policy
data = open(sys.argv[1], "rb").read()
if data.startswith(b"helo: ") or data.startswith(b"mail: "):
    data = data.split(b"\n\n", 1)[1]
msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data, headersonly=True)
v = msg.get(sys.argv[2])
print("" if v is None else " ".join(str(v).split()))
PY
}
# https_uri FILE - the https URI of List-Unsubscribe
https_uri() { header "$1" List-Unsubscribe | grep -o '<https://[^>]*>' | tr -d '<>'; }

# --- peers: sink, DNS with the DKIM keys, lighttpd with TLS and the CGI
txt_option() {
  local name strings
  name=$(sed -n '1s/\. IN TXT.*//p' "$1")
  strings=$(grep -o '"[^"]*"' "$1" | tr -d '"' | paste -sd, -)
  echo "--txt-record=$name,$strings"
}
QMAILHOME=$dir "$LETTERSHOP_BIN/dkimkey" example.test r2026 >"$w/rsa.txt" || fail "dkimkey rsa"
QMAILHOME=$dir "$LETTERSHOP_BIN/dkimkey" -t ed25519 example.test e2026 >"$w/ed.txt" || fail "dkimkey ed25519"
[ -f "$dir/control/dkim/example.test/e2026.ed25519" ] || fail "dkimkey did not write into the instance"
start_sink sink
printf 'remote.test:127.0.0.1:%s\n' "$sink_port" >"$dir/control/smtproutes"
start_dns --local=/test/ "$(txt_option "$w/rsa.txt")" "$(txt_option "$w/ed.txt")"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$w/web.key" -out "$w/web.pem" >/dev/null 2>&1 || fail "openssl could not make a certificate"
web_port=$(free_port)
mkdir -p "$w/www"
l=$o/team
cat >"$w/oneclick.conf" <<CONF
# list@host:DIR
other@example.test:/nonexistent
team@example.test:$l
CONF
cat >"$w/lighttpd.conf" <<CONF
server.modules = ("mod_alias", "mod_setenv", "mod_cgi", "mod_openssl")
server.document-root = "$w/www"
server.bind = "127.0.0.1"
server.port = $web_port
server.errorlog = "$w/lighttpd.err"
ssl.engine = "enable"
ssl.pemfile = "$w/web.pem"
ssl.privkey = "$w/web.key"
alias.url = ("/oneclick" => "$LETTERSHOP_BIN/ezmlm-oneclick")
cgi.assign = ("/ezmlm-oneclick" => "")
setenv.add-environment = ("EZMLM_ONECLICK_CONF" => "$w/oneclick.conf", "EZMLM_ETC" => "$EZMLM_ETC")
CONF
"$lighttpd" -D -f "$w/lighttpd.conf" >"$w/lighttpd.out" 2>&1 &
web_pid=$!
on_exit "kill $web_pid 2>/dev/null; wait $web_pid 2>/dev/null"
for i in $(seq 100); do
  curl -s -o /dev/null --cacert "$w/web.pem" "https://127.0.0.1:$web_port/" && break
  kill -0 "$web_pid" 2>/dev/null || fail "lighttpd died: $(cat "$w/lighttpd.out" "$w/lighttpd.err" 2>/dev/null)"
  sleep 0.1
done
# web METHOD URI [curl args] - the status code; the page in $w/page
web() {
  local m=$1 u=$2
  shift 2
  curl -s -o "$w/page" -w '%{http_code}' --cacert "$w/web.pem" -X "$m" "$@" "$u"
}

# --- 1. the list and a post through the mail system
ez ezmlm-make -C "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$l" "$o/.qmail-team" team example.test || fail "ezmlm-make failed"
echo "https://127.0.0.1:$web_port/oneclick" >"$l/oneclickurl"
chmod 0755 "$o"
for a in alice@example.test ann@remote.test bob@remote.test reject1@remote.test; do
  ez ezmlm-sub "$l" "$a" || fail "ezmlm-sub $a"
done
# alice's .qmail runs a program that reads what her qmail-local holds on
# fd 0 (through /proc, as any program of hers could): her own copy, never
# the queued message with the marker and its message key
printf '%s\n' '|cat /proc/$PPID/fd/0 >"$HOME/qmail-local-fd0"' './Maildir/' >"$(home alice)/.qmail"
start_mta ./Maildir/
QMAILHOME=$dir
export QMAILHOME
printf 'From: alice@example.test\nTo: team@example.test\nSubject: one click\nMessage-ID: <p1@example.test>\n\nfirst post\n' |
  inject alice@example.test team@example.test
wait_log 'delivery [0-9]+: failure: 127.0.0.1_does_not_like_recipient' 30
wait_queue_empty 30
for r in ann bob; do
  txn=$(grep -l "^rcpt: <$r@remote.test>" "$sink_dir"/*.txn) || fail "no copy for $r at the sink"
  [ "$(echo "$txn" | wc -l)" = 1 ] || fail "$r got $(echo "$txn" | wc -l) copies"
  [ "$(grep -c '^rcpt: ' "$txn")" = 1 ] || fail "$r's transaction has other recipients: $(head "$txn")"
  if grep -qi '^X-Lettershop-Oneclick' "$txn"; then fail "the internal marker left the system: $txn"; fi
  [ "$(header "$txn" List-Unsubscribe-Post)" = "List-Unsubscribe=One-Click" ] || fail "List-Unsubscribe-Post: $(cat "$txn")"
  lu=$(header "$txn" List-Unsubscribe)
  case $lu in
    "<mailto:team-unsubscribe-$r%3Dremote.test@example.test>, <https://127.0.0.1:$web_port/oneclick?l=team%40example.test&a=$r%40remote.test&n=1&t="*"&m="*">") ;;
    *) fail "List-Unsubscribe for $r: $lu" ;;
  esac
  [ "$(grep -ci '^List-Unsubscribe:' "$txn")" = 1 ] || fail "two List-Unsubscribe fields: $txn"
  dkimpy verify "$txn" >"$w/py.out" || fail "dkimpy rejects $r's copy: $(cat "$w/py.out")"
  [ "$(grep -c '^pass' "$w/py.out")" = 2 ] || fail "dkimpy: $(cat "$w/py.out")"
  # h= (unfolded, white space dropped) names both fields
  signed=":$(header "$txn" DKIM-Signature | sed -n 's/.*[; ]h=\([^;]*\);.*/\1/p' | tr -d ' \t' | tr 'A-Z' 'a-z'):"
  case $signed in *:list-unsubscribe:*) ;; *) fail "signature does not cover List-Unsubscribe: $signed" ;; esac
  case $signed in *:list-unsubscribe-post:*) ;; *) fail "signature does not cover List-Unsubscribe-Post: $signed" ;; esac
done
[ "$(https_uri "$(grep -l '^rcpt: <ann@' "$sink_dir"/*.txn)")" != "$(https_uri "$(grep -l '^rcpt: <bob@' "$sink_dir"/*.txn)")" ] ||
  fail "ann and bob got the same URI"
mail=$(ls "$(home alice)/Maildir/new/"*) || fail "alice got no copy"
if grep -qi '^X-Lettershop-Oneclick' "$mail"; then fail "the marker reached alice's Maildir"; fi
https_uri "$mail" | grep -q 'a=alice%40example.test&' || fail "alice's copy: $(header "$mail" List-Unsubscribe)"
[ "$(header "$mail" List-Unsubscribe-Post)" = "List-Unsubscribe=One-Click" ] || fail "alice's copy lacks List-Unsubscribe-Post"
seen=$(home alice)/qmail-local-fd0
[ -s "$seen" ] || fail "alice's program did not run"
if grep -qi '^X-Lettershop-Oneclick' "$seen"; then fail "alice's qmail-local held the marker on fd 0"; fi
https_uri "$seen" | grep -q 'a=alice%40example.test&' || fail "alice's qmail-local held: $(head -c 600 "$seen")"
# a malformed marker defers the local delivery before qmail-local runs, with its text
printf 'From: x@example.test\nX-Lettershop-Oneclick: v1 l=broken\nSubject: broken\n\nbody\n' |
  inject x@example.test alice@example.test
wait_log 'delivery [0-9]+: deferral: Unable_to_render_message:_malformed_X-Lettershop-Oneclick_field._\(#4.3.0\)' 30
[ "$(ls "$(home alice)/Maildir/new" | wc -l)" = 1 ] || fail "the broken post reached alice's Maildir"
grep -q '^Subject: one click' "$seen" || fail "alice's program ran for the broken post"
stop_mta

# --- 2. qmail-remote by hand: per recipient with the marker, batched without
QMAILQUEUE=$w/savequeue
cat >"$QMAILQUEUE" <<SH
#!/bin/sh
cat >"$w/queued.msg"
cat <&1 >"$w/queued.env"
SH
chmod +x "$QMAILQUEUE"
export QMAILQUEUE
printf 'From: alice@example.test\nTo: team@example.test\nSubject: second\n\nsecond post\n' |
  SENDER=alice@example.test ez ezmlm-send "$l" || fail "ezmlm-send with the saving queue failed"
unset QMAILQUEUE
grep -q '^X-Lettershop-Oneclick: v1 l=team@example.test n=2 t=[0-9]* k=[0-9a-f]\{64\} u=https://' "$w/queued.msg" ||
  fail "queued marker: $(sed '/^$/q' "$w/queued.msg")"
"$PY" -c 'import sys; k = open(sys.argv[1], "rb").read(); m = open(sys.argv[2], "rb").read()
sys.exit(1 if len(k) < 8 or k in m or k.hex().encode() in m else 0)' "$l/key" "$w/queued.msg" ||
  fail "the list key is in the queue file (or too short)"
before=$(sink_files | wc -l)
remote remote.test team-return-2-@example.test ann@remote.test reject2@remote.test bob@remote.test <"$w/queued.msg"
grep -q '^K127.0.0.1 accepted' "$w/reports" || fail "reports: $(cat "$w/reports")"
[ "$(grep -c '^r$' "$w/reports")" = 2 ] || fail "reports: $(cat "$w/reports")"
grep -q '^h127.0.0.1 does not like recipient' "$w/reports" || fail "reports: $(cat "$w/reports")"
[ "$(sink_files | wc -l)" = $((before + 2)) ] || fail "want two new transactions"
for txn in $(sink_files | tail -2); do
  [ "$(grep -c '^rcpt: ' "$txn")" = 1 ] || fail "batched: $txn"
  r=$(sed -n 's/^rcpt: <\(.*\)>/\1/p' "$txn")
  https_uri "$txn" | grep -q "a=${r%@*}%40remote.test&n=2&" || fail "copy for $r: $(https_uri "$txn")"
  dkimpy verify "$txn" >"$w/py.out" || fail "dkimpy rejects the copy for $r: $(cat "$w/py.out")"
done
grep -q 'RSET' "$sink_dir/commands.log" || fail "no RSET after the refused recipient"
[ "$(grep -c 'EHLO' "$sink_dir/commands.log")" -ge 1 ] || fail "no EHLO seen"
# a broken marker defers: nothing leaves with the internal field
printf 'X-Lettershop-Oneclick: v1 l=broken\nFrom: alice@example.test\n\nx\n' >"$w/broken.msg"
n=$(sink_files | wc -l)
remote remote.test alice@example.test ann@remote.test <"$w/broken.msg"
grep -q '^ZUnable to render the message: malformed X-Lettershop-Oneclick' "$w/reports" || fail "broken marker: $(cat "$w/reports")"
[ "$(sink_files | wc -l)" = "$n" ] || fail "a message with a broken marker was sent"
sed '/^X-Lettershop-Oneclick:/d' "$w/queued.msg" >"$w/plain.msg"
remote remote.test alice@example.test ann@remote.test bob@remote.test carol@remote.test <"$w/plain.msg"
txn=$(sink_files | tail -1)
[ "$(grep -c '^rcpt: ' "$txn")" = 3 ] || fail "a message without the marker was not batched: $(head -8 "$txn")"
dkimpy verify "$txn" >/dev/null || fail "dkimpy rejects the batched message"

# --- 3. the web endpoint
# shellcheck disable=SC2046 # sink_files: paths without spaces
ann_uri=$(https_uri "$(grep -l '^rcpt: <ann@' $(sink_files) | head -1)")
# shellcheck disable=SC2046
bob_uri=$(https_uri "$(grep -l '^rcpt: <bob@' $(sink_files) | head -1)")
subscribed() { ez ezmlm-list "$l" | grep -qx "$1"; }
[ "$(web GET "$ann_uri")" = 200 ] || fail "GET: $(cat "$w/page" "$w/lighttpd.err" 2>/dev/null)"
grep -q '<form method="post">' "$w/page" || fail "no form: $(cat "$w/page")"
grep -q 'name="List-Unsubscribe" value="One-Click"' "$w/page" || fail "form field: $(cat "$w/page")"
subscribed ann@remote.test || fail "GET unsubscribed ann"
[ "$(web POST "$ann_uri" -d "")" = 400 ] || fail "POST with an empty body: $(cat "$w/page")"
[ "$(web POST "$ann_uri" -d List-Unsubscribe=Yes)" = 400 ] || fail "POST with another body: $(cat "$w/page")"
subscribed ann@remote.test || fail "an empty POST unsubscribed ann"
forged=${bob_uri%?}0
[ "$forged" != "$bob_uri" ] || forged=${bob_uri%?}1
[ "$(web POST "$forged" -d List-Unsubscribe=One-Click)" = 403 ] || fail "forged: $(cat "$w/page")"
forged_addr=${bob_uri/a=bob%40/a=bobby%40}
[ "$(web POST "$forged_addr" -d List-Unsubscribe=One-Click)" = 403 ] || fail "another address: $(cat "$w/page")"
subscribed bob@remote.test || fail "a forged token unsubscribed bob"
[ "$(web POST "$ann_uri" -d List-Unsubscribe=One-Click)" = 200 ] || fail "POST: $(cat "$w/page" "$w/lighttpd.err")"
if subscribed ann@remote.test; then fail "ann is still subscribed"; fi
grep -q '^[0-9]* -oneclick ann@remote.test$' "$l/Log" || fail "Log: $(cat "$l/Log")"
[ "$(web POST "$ann_uri" -d List-Unsubscribe=One-Click)" = 410 ] || fail "second POST: $(cat "$w/page")"
[ "$(grep -c 'oneclick' "$l/Log")" = 1 ] || fail "the second POST logged: $(cat "$l/Log")"
sleep 1
ez ezmlm-sub "$l" ann@remote.test || fail "resubscribe"
[ "$(web POST "$ann_uri" -d List-Unsubscribe=One-Click)" = 403 ] || fail "replayed after resubscription: $(cat "$w/page")"
subscribed ann@remote.test || fail "an old link unsubscribed ann again"
subscribed bob@remote.test || fail "bob lost"
subscribed alice@example.test || fail "alice lost"
echo ok
