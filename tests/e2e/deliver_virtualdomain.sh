#!/bin/bash
# A virtual domain: dude@tommy.gov goes through ~fred/.qmail-default to
# ./Mail.tommy (qmail's third local picture).
#
# control/virtualdomains has tommy.gov:fred and tommy.gov is not in locals,
# so qmail-send rewrites the recipient to the local address
# fred-dude@tommy.gov (the prefix, '-', the whole original address). fred
# owns fred-dude with extension 'dude'; there is no ~fred/.qmail-dude, so
# qmail-local takes ~fred/.qmail-default with DEFAULT=dude. That file
# delivers to ./Mail.tommy and runs a program that records the environment
# qmail-local gives programs (reference 7.3).
. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"
mta_instance
add_user fred
fred=$(home fred)
echo tommy.gov:fred >"$dir/control/virtualdomains"
cat >"$fred/.qmail-default" <<'EOF'
./Mail.tommy
|env | grep -E '^(USER|HOME|LOCAL|HOST|RECIPIENT|SENDER|NEWSENDER|EXT|EXT2|HOST2|DEFAULT)=' | sort >env.seen
EOF
start_mta ./Mailbox

printf 'Subject: from the government\n\nhello dude\n' | enqueue joe@heaven.af.mil dude@tommy.gov
wait_log '^end msg [0-9]+$'

box=$fred/Mail.tommy
[ -s "$box" ] || fail "no ~fred/Mail.tommy; log: $(cat "$mta_log")"
[ ! -e "$fred/Mailbox" ] || fail "~fred/Mailbox was written too"
[ "$(sed -n 2p "$box")" = 'Return-Path: <joe@heaven.af.mil>' ] || fail "line 2: $(sed -n 2p "$box")"
[ "$(sed -n 3p "$box")" = 'Delivered-To: fred-dude@tommy.gov' ] || fail "line 3: $(sed -n 3p "$box")"
grep -qx 'hello dude' "$box" || fail "body missing: $(cat "$box")"

[ -f "$fred/env.seen" ] || fail "the program line did not run"
expect_text "$fred/env.seen" "program environment" <<EOF
DEFAULT=dude
EXT2=
EXT=dude
HOME=$fred
HOST2=tommy
HOST=tommy.gov
LOCAL=fred-dude
NEWSENDER=joe@heaven.af.mil
RECIPIENT=fred-dude@tommy.gov
SENDER=joe@heaven.af.mil
USER=fred
EOF

grep -Eqx 'starting delivery 1: msg [0-9]+ to local fred-dude@tommy\.gov' "$mta_log" ||
  fail "not rewritten to fred-dude@tommy.gov; log: $(cat "$mta_log")"
grep -qx 'delivery 1: success: did_1+0+1/' "$mta_log" || fail "no 'success: did_1+0+1/'; log: $(cat "$mta_log")"
stop_mta
echo ok
