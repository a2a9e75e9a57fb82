#!/bin/bash
# e2e: ezmlm-reject (ezmlm-idx test 110; reference ezmlm.md 3.2, 5.3).
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
d=$ez/list
make_list "$d" list example.test

msg() {  # msg SUBJECT [EXTRA-HEADER] — a post to the list on $w/in
  { echo "From: test@example.org"; echo "To: list@example.test"
    [ -n "$1" ] && echo "Subject: $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2"
    echo; echo "a body of some length for msgsize"; } >"$w/in"
}
reject() {  # reject WANT ARGS... — exit code WANT
  local want=$1; shift
  rc=0; ez ezmlm-reject "$@" <"$w/in" >"$w/out" 2>"$w/err" || rc=$?
  [ $rc = "$want" ] || fail "ezmlm-reject $*: exit $rc, want $want ($(cat "$w/err"))"
}

msg "test"
unset SENDER; reject 100 "$d"
SENDER=; export SENDER; reject 100 "$d"
SENDER=test@example.org
reject 0 "$d"
reject 0
# Subjects.
msg ""; reject 100 "$d"; grep -q '^ezmlm-reject: fatal: ' "$w/err" || fail "no fatal line"
reject 0 -S "$d"
msg "(NUll)"; reject 100 "$d"
msg "REmOVE"; reject 100 "$d"; reject 0 -C "$d"
# The list address: To or Cc, else 100, -q 99, -T or no DIR accepted.
msg "test"; sed -i 's/^To: .*/To: other@example.org/' "$w/in"; reject 100 "$d"; reject 99 -q "$d"; reject 0 -T "$d"; reject 0
# The refusal is text/messages' ERR_NO_ADDRESS, as the list has it.
reject 100 "$d"; grep -q 'must be in To: or Cc:' "$w/err" || fail "ERR_NO_ADDRESS text: $(cat "$w/err")"
mkdir -p "$d/text"; echo 'ERR_NO_ADDRESS:local wording' >"$d/text/messages"
reject 100 "$d"; grep -q 'fatal: local wording' "$w/err" || fail "list's own ERR_NO_ADDRESS: $(cat "$w/err")"
rm "$d/text/messages"
sed -i 's/^To: .*/To: other@example.org\nCc: x@y.org,\n List@Example.TEST/' "$w/in"; reject 0 "$d"
# Precedence: junk/bulk is dropped quietly.
msg "test" "Precedence: junk"; reject 99 "$d"
# msgsize max:min.
msg "test"
echo "10:2" >"$d/msgsize"; reject 100 "$d"; grep -q 'ezmlm-reject: fatal:' "$w/err"
echo "1000:200" >"$d/msgsize"; reject 100 "$d"
echo "1000:2" >"$d/msgsize"; reject 0 "$d"
rm "$d/msgsize"
# headerreject with -h/-H.
msg "test" "X-Spam: yes"; echo "x-spam" >"$d/headerreject"; reject 100 "$d"
grep -q 'fatal: this message came from a mailing list' "$w/err" || fail "headerreject is ERR_MAILING_LIST: $(cat "$w/err")"
reject 0 -H "$d"; rm "$d/headerreject"
# MIME: a part in mimereject; whole-message type in mimeremove / not in mimekeep.
cat >"$w/in" <<'MSG'
From: test@example.org
To: list@example.test
Subject: mime
Content-Type: multipart/mixed; boundary="B";micalg=pgp-md5

--B
Content-Type: text/plain

hello
--B
Content-Type: application/x-bad

zzz
--B--
MSG
reject 0 "$d"
echo "application/x-bad" >"$d/mimereject"; reject 100 "$d"; rm "$d/mimereject"
echo "application/x-bad" >"$d/mimeremove"; reject 0 "$d"
msg "test" "Content-Type: Application/X-Bad"; reject 100 "$d"; rm "$d/mimeremove"
echo "text/plain" >"$d/mimekeep"; reject 100 "$d"
msg "test"; reject 0 "$d"
echo OK
