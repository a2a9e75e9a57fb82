# tests/e2e/lib/ezmlm_make.sh — list scenarios: ezmlm's install paths.
#
#   . "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_make.sh"
#   ezmlm_env DIR     # EZMLM_BIN=$LETTERSHOP_BIN; EZMLM_ETC=DIR/etc with
#                     # default -> $LETTERSHOP_SRC/ezmlm/lang/en_US (exported)
#   ez PROG ARGS...   # runs $LETTERSHOP_BIN/PROG
ezmlm_env() {
  mkdir -p "$1/etc"
  ln -sfn "$LETTERSHOP_SRC/ezmlm/lang/en_US" "$1/etc/default"
  EZMLM_BIN=$LETTERSHOP_BIN
  EZMLM_ETC=$1/etc
  export EZMLM_BIN EZMLM_ETC
}

ez() {
  local prog=$1
  shift
  "$LETTERSHOP_BIN/$prog" "$@"
}
