# tests/e2e/lib/autorespond.sh — running autorespond as qmail-local would.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/autorespond.sh"
#   ar_instance                 # inject_instance ($work, fake qmail-queue
#                               # helpers) + $ar (a home with message and ar/)
#   ar_message TEXT             # writes $ar/message
#   ar_run SENDER MAIL ARGS...  # autorespond ARGS with MAIL (a file) on fd 0
#                               # and qmail-local's environment for
#                               # joe@example.test from $ar; exit code in $rc,
#                               # stderr in $out
#   ar_records                  # how many A files $ar/ar holds
. "$LETTERSHOP_SRC/tests/e2e/lib/inject.sh"

ar_instance() {
  inject_instance
  ar=$dir/home/joe
  mkdir -p "$ar/ar"
}

ar_message() {
  printf '%s' "$1" >"$ar/message"
}

ar_run() {
  local sender=$1 mail=$2
  shift 2
  rc=0
  out=$(cd "$ar" && env -i PATH="$PATH" QMAILHOME="$QMAILHOME" QMAILQUEUE="${QMAILQUEUE-}" \
    SENDER="$sender" NEWSENDER="$sender" RECIPIENT=joe@example.test USER=joe HOME="$ar" \
    LOCAL=joe HOST=example.test EXT= DTLINE="Delivered-To: joe@example.test
" RPLINE="Return-Path: <$sender>
" "$LETTERSHOP_BIN/autorespond" "$@" <"$mail" 2>&1) || rc=$?
}

ar_records() {
  find "$ar/ar" -maxdepth 1 -name 'A*' | wc -l
}
