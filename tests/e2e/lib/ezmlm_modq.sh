# tests/e2e/lib/ezmlm_modq.sh — helpers of the moderation scenarios
# (ezmlm_store, ezmlm_moderate, ezmlm_confirm, ezmlm_clean, ezmlm_editor).
#
#   . "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
#   . "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_modq.sh"
#   ezmlm_env
#   moderated_list         # archived_list with mod/{pending,accepted,rejected,
#                          # unconfirmed} and queue_all
#   queue_all [EXIT]       # QMAILQUEUE keeps every mail: $ez/qq/N.msg, N.env
#                          # (N = 1, 2, ...), exits EXIT (default 0)
#   mails                  # how many mails were queued so far
#   last_msg / last_env    # paths of the newest mail and its envelope
#   header_names FILE      # the header field names of FILE, one a line
#   field FILE NAME        # the first value of NAME: in FILE's header
#   pending [SUB]          # names in $d/mod/SUB (default pending), sorted
moderated_list() {
  archived_list
  mkdir -p "$d/mod/pending" "$d/mod/accepted" "$d/mod/rejected" "$d/mod/unconfirmed"
  queue_all
}

queue_all() {
  mkdir -p "$ez/qq"
  cat >"$ez/fake-qq-all" <<SCRIPT
#!/bin/sh
n=\$(( \$(ls "$ez/qq" | grep -c 'msg\$') + 1 ))
cat >"$ez/qq/\$n.msg" || exit 54
cat <&1 >"$ez/qq/\$n.env" || exit 54
exit ${1:-0}
SCRIPT
  chmod +x "$ez/fake-qq-all"
  QMAILQUEUE=$ez/fake-qq-all
  export QMAILQUEUE
}

mails() {
  ls "$ez/qq" 2>/dev/null | grep -c 'msg$' || true
}

last_msg() { echo "$ez/qq/$(mails).msg"; }
last_env() { echo "$ez/qq/$(mails).env"; }

header_names() {
  sed '/^$/q' "$1" | grep -E '^[A-Za-z-]+:' | cut -d: -f1
}

field() {
  sed '/^$/q' "$1" | grep -i -m1 "^$2:" | cut -d: -f2- | sed 's/^ //'
}

pending() {
  ls "$d/mod/${1:-pending}" | sort
}
