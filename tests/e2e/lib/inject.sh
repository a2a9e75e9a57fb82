# tests/e2e/lib/inject.sh — helpers for the qmail-inject and sendmail scenarios.
#
#   . "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"
#   inject_instance        # new_instance, plus $work and a fake qmail-queue
#   fake_queue [EXIT]      # QMAILQUEUE=<script that saves fd 0 to $work/qq.msg
#                          #  and fd 1 to $work/qq.env, then exits EXIT (0)>
#   envelope_text FILE     # the envelope with NULs shown as '|'
#   normalise FILE         # Date and Message-ID values replaced by DATE/MSGID
#                          # after checking their formats (fails if wrong)
. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"

inject_instance() {
  new_instance "$@"
  work=$dir/work
  mkdir "$work"
}

fake_queue() {
  cat >"$work/fake-qq" <<SCRIPT
#!/bin/sh
cat >"$work/qq.msg" || exit 54
cat <&1 >"$work/qq.env" || exit 54
exit ${1:-0}
SCRIPT
  chmod +x "$work/fake-qq"
  QMAILQUEUE=$work/fake-qq
  export QMAILQUEUE
  rm -f "$work/qq.msg" "$work/qq.env"
}

envelope_text() {
  tr '\0' '|' <"$1"
}

normalise() {
  date_re='^(Resent-)?Date: [1-9][0-9]? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} -0000$'
  id_re='^(Resent-)?Message-ID: <[0-9]{14}\.[0-9]+\.qmail@[^>]+>$'
  if grep -E '^(Resent-)?Date: ' "$1" | grep -Evq "$date_re"; then fail "bad Date field: $(grep -E '^(Resent-)?Date:' "$1")"; fi
  if grep -E '^(Resent-)?Message-ID: ' "$1" | grep -Evq "$id_re"; then fail "bad Message-ID: $(grep -E 'Message-ID:' "$1")"; fi
  sed -E 's/^((Resent-)?Date:) .*/\1 DATE/; s/^((Resent-)?Message-ID:) <[0-9]+\.[0-9]+\.qmail@/\1 <MSGID@/' "$1"
}
