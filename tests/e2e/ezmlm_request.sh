#!/bin/bash
# e2e: ezmlm-request on a list made by hand, with a fake qmail-queue
# (ezmlm-idx test 165; reference ezmlm.md 3.2): commands from DEFAULT, the
# Subject (plain, folded, encoded), the first body line; aliases; the
# "subscribe list@host user@host" form; forwarding with SENDER as envelope
# sender, our Delivered-To on top, headerremove/headerkeep; the -f global
# interface ("lists", "which"); refusals and the loop rule.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
[ -x "$LETTERSHOP_BIN/ezmlm-request" ] || fail "ezmlm-request is not built"
ezmlm_env
archived_list
printf 'sender\nreturn-path\n' >"$d/headerremove"
fake_qmail_queue
SENDER=joe@x.org
export SENDER

request() {  # request DEFAULT SUBJECT [BODY] — expect 99 and a forward
  local deflt=$1 subject=$2 body=${3:-}
  printf 'Return-Path: <joe@x.org>\nSender: someone@x.org\nFrom: joe@x.org\nTo: list-request@example.test\n%s\n\n%s\n' \
    "$subject" "$body" >"$w/in"
  rm -f "$ez/qq.msg" "$ez/qq.env"
  set +e
  DEFAULT=$deflt ez ezmlm-request "$d" <"$w/in" 2>"$w/err"
  rc=$?
  set -e
}
expect_forward() {  # expect_forward RCPT
  [ "$rc" = 99 ] || fail "exit $rc, want 99: $(cat "$w/err")"
  grep -Eq '^ezmlm-request: info: qp [0-9]+$' "$w/err" || fail "no qp line: $(cat "$w/err")"
  [ "$(envelope_text "$ez/qq.env")" = "Fjoe@x.org|T$1||" ] || fail "envelope: $(envelope_text "$ez/qq.env"), want $1"
}

# 165: an unknown command goes through verbatim, Sender: removed, our line on top.
request request 'Subject: qqqq'
expect_forward list-qqqq-joe=x.org@example.test
[ "$(head -1 "$ez/qq.msg")" = "Delivered-To: request processor for list@example.test" ] ||
  fail "first line: $(head -1 "$ez/qq.msg")"
grep -qi '^Sender:' "$ez/qq.msg" && fail "Sender: kept: $(cat "$ez/qq.msg")"
grep -qi '^Return-Path:' "$ez/qq.msg" && fail "Return-Path: kept"
grep -qx 'From: joe@x.org' "$ez/qq.msg" || fail "From: lost"
grep -qx 'Subject: qqqq' "$ez/qq.msg" || fail "Subject: lost"

# Aliases and the full command address in the subject.
request request 'Subject: remove'
expect_forward list-unsubscribe-joe=x.org@example.test
request request 'Subject: list-remove@example.test'
expect_forward list-unsubscribe-joe=x.org@example.test
request request 'Subject: list-sub-ann=y.org@example.test'
expect_forward list-subscribe-ann=y.org@example.test
# subscribe list@host user@host, also folded over two lines and encoded.
request request 'Subject: subscribe list@example.test ann@y.org'
expect_forward list-subscribe-ann=y.org@example.test
request request "$(printf 'Subject: subscribe list@example.test\n ann@y.org')"
expect_forward list-subscribe-ann=y.org@example.test
request request 'Subject: =?utf-8?q?sub_ann=40y=2Eorg?='
expect_forward list-subscribe-ann=y.org@example.test
# The command in DEFAULT wins; the first body line starting with a letter
# when the subject has none (a MIME preamble and part header skipped).
request request-sub-bea=z.org 'Subject: unsubscribe'
expect_forward list-subscribe-bea=z.org@example.test
request request 'Subject: ' "$(printf '  \n> quoted\nindex\nrest')"
expect_forward list-index-joe=x.org@example.test
request request "$(printf 'Subject: [no command]\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b')" \
  "$(printf 'This is a MIME message\n--b\nContent-Type: text/plain\n\nget 12\n--b--')"
expect_forward list-get.12-joe=x.org@example.test
grep -qx 'This is a MIME message' "$ez/qq.msg" || fail "body not forwarded whole: $(cat "$ez/qq.msg")"
grep -qx 'get 12' "$ez/qq.msg" || fail "body not forwarded whole"
# "which" and "lists" only mean something at the global address: help.
request request 'Subject: which'
expect_forward list-help-joe=x.org@example.test
# No command anywhere: help.
request request 'X-Nothing: here'
expect_forward list-help-joe=x.org@example.test

# headerkeep: only the listed fields (and our Delivered-To) are forwarded.
printf 'subject\nfrom\n' >"$d/headerkeep"
request request 'Subject: sub'
expect_forward list-subscribe-joe=x.org@example.test
[ "$(sed -n '1,/^$/p' "$ez/qq.msg")" = "$(printf 'Delivered-To: request processor for list@example.test\nFrom: joe@x.org\nSubject: sub\n')" ] ||
  fail "headerkeep: $(cat "$ez/qq.msg")"
rm "$d/headerkeep"

# Not for us: other DEFAULTs pass on to ezmlm-manage (0), nothing queued.
request subscribe 'Subject: sub'
[ "$rc" = 0 ] && [ ! -e "$ez/qq.env" ] || fail "DEFAULT subscribe: exit $rc"
# Refusals.
request request 'Subject: sub;reboot'
[ "$rc" = 100 ] && [ ! -e "$ez/qq.env" ] || fail "unclean command: exit $rc"
grep -q 'sub;reboot' "$w/err" || fail "no word in the error: $(cat "$w/err")"
request request 'Subject: subscribe `id`@x.org'
[ "$rc" = 100 ] && [ ! -e "$ez/qq.env" ] || fail "unclean target: exit $rc"
request request "$(printf 'Delivered-To: request processor for list@example.test\nSubject: sub')"
[ "$rc" = 100 ] && [ ! -e "$ez/qq.env" ] || fail "loop: exit $rc"
request request "$(printf 'Mailing-List: contact other-help@else.test\nSubject: sub')"
[ "$rc" = 100 ] && [ ! -e "$ez/qq.env" ] || fail "Mailing-List: exit $rc"
# The loop rule: automatic mail is dropped (99) without a forward.
request request "$(printf 'Auto-Submitted: auto-replied\nSubject: sub')"
[ "$rc" = 99 ] && [ ! -e "$ez/qq.env" ] || fail "Auto-Submitted: exit $rc"
request request "$(printf 'Precedence: bulk\nSubject: sub')"
[ "$rc" = 99 ] && [ ! -e "$ez/qq.env" ] || fail "Precedence: exit $rc"
# Bounces and senders without '@' get nothing either.
for s in '' '#@[]' nobody; do
  SENDER=$s request request 'Subject: sub'
  [ "$rc" = 99 ] && [ ! -e "$ez/qq.env" ] || fail "SENDER '$s': exit $rc"
done
# DEFAULT unset without -f: 100.
printf 'Subject: sub\n\n' | ez ezmlm-request "$d" 2>/dev/null && fail "no DEFAULT accepted"
# qmail-queue failing: 111 and the text.
fake_qmail_queue 81
request request 'Subject: sub'
[ "$rc" = 111 ] || fail "qmail-queue 81: exit $rc"
fake_qmail_queue

# -f: the global interface. Two lists, joe subscribed to one.
make_list "$ez/team" team example.test
make_list "$ez/other" other example.test
ez ezmlm-sub "$ez/team" joe@x.org
make_list "$ez/svc" ezmlm example.test
cat >"$ez/lists.cfg" <<CFG
# list@host:dir:description
team@example.test:$ez/team:The team list
other@example.test:$ez/other:Another list
CFG
global() {  # global SUBJECT
  printf 'From: joe@x.org\nSubject: %s\n\nbody\n' "$1" >"$w/in"
  rm -f "$ez/qq.msg" "$ez/qq.env"
  set +e
  ez ezmlm-request -f "$ez/lists.cfg" "$ez/svc" <"$w/in" 2>"$w/err"
  rc=$?
  set -e
  [ "$rc" = 99 ] || fail "global '$1': exit $rc: $(cat "$w/err")"
}
global which
[ "$(envelope_text "$ez/qq.env")" = "Fezmlm-return-@example.test|Tjoe@x.org||" ] ||
  fail "which envelope: $(envelope_text "$ez/qq.env")"
grep -q '^Subject: ezmlm results' "$ez/qq.msg" || fail "which subject: $(grep Subject "$ez/qq.msg")"
grep -qx 'WHICH (joe@x.org):' "$ez/qq.msg" || fail "which: $(cat "$ez/qq.msg")"
grep -qx 'team@example.test' "$ez/qq.msg" || fail "which lost team: $(cat "$ez/qq.msg")"
grep -q 'other@example.test' "$ez/qq.msg" && fail "which shows other: $(cat "$ez/qq.msg")"
# "which" for another address answers that address, not the asker.
global 'which ann@y.org'
[ "$(envelope_text "$ez/qq.env")" = "Fezmlm-return-@example.test|Tann@y.org||" ] ||
  fail "which for ann: $(envelope_text "$ez/qq.env")"
grep -qx 'team@example.test' "$ez/qq.msg" && fail "ann is not on team: $(cat "$ez/qq.msg")"
global lists
grep -qx 'LISTS:' "$ez/qq.msg" || fail "lists: $(cat "$ez/qq.msg")"
grep -q 'team@example.test' "$ez/qq.msg" && grep -q 'other@example.test' "$ez/qq.msg" &&
  grep -qx 'Another list' "$ez/qq.msg" || fail "lists: $(cat "$ez/qq.msg")"
# A command for a named list is forwarded to that list.
global 'sub other@example.test'
[ "$(envelope_text "$ez/qq.env")" = "Fjoe@x.org|Tother-subscribe-joe=x.org@example.test||" ] ||
  fail "global forward: $(envelope_text "$ez/qq.env")"
grep -qx 'Delivered-To: request processor for ezmlm@example.test' "$ez/qq.msg" || fail "global dtline"
echo ok
