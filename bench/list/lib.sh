# bench/list/lib.sh — the list directory, addresses and post shared by
# bench/list/run and bench/list/send-loop.
# shellcheck shell=bash

# make_list DIR: a list directory as ezmlm-make leaves it (archived,
# indexed, no trailer)
make_list() {
  local d=$1
  mkdir -p "$d/text" "$d/archive"
  echo list >"$d/outlocal"; echo bench.test >"$d/outhost"; : >"$d/ezmlmrc"
  head -c 200 /dev/urandom >"$d/key"
  for sub in . digest allow deny mod; do mkdir -p "$d/$sub/subscribers"; : >"$d/$sub/lock"; done
  touch "$d/archived" "$d/indexed"
}
# addresses N: N distinct addresses over 1,000 domains
addresses() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "user%d@d%d.bench.test\n", i, i % 1000 }'; }
# make_post FILE: the 4 KB post (the W3 message of the shared bench README)
make_post() {
  { echo "From: poster@bench.test"; echo "To: list@bench.test"; echo "Subject: bench"; echo
    for _ in $(seq 64); do printf '%063d\n' 0 | tr 0 X; done; } >"$1"
}
