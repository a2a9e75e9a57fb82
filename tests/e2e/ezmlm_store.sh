#!/bin/bash
# e2e: ezmlm-store queues posts for moderation (ezmlm-idx test 145;
# reference ezmlm.md 6.1): the request's exact header set and envelope, who
# gets it, -P/modpostonly, -s, remote's allow Cc, -M/-B, refusals that leave
# nothing behind, a queue failure that leaves no orphan.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm_modq.sh"
ezmlm_env
moderated_list
ez ezmlm-sub "$d" sub1@example.org
ez ezmlm-sub "$d" mod mod1@example.org mod2@example.org
printf 'From: poster\nTo: list@example.test\nSubject: a post\n\nbody line\n' >"$w/post"

store() {  # store SENDER [ARGS] -> exit code in $rc, stderr in $w/err
  rc=0
  SENDER=$1 ez ezmlm-store "${@:2}" "$d" <"$w/post" 2>"$w/err" || rc=$?
}

# Without modpost: the simple form sends and archives at once.
store poster@example.org
[ $rc = 0 ] || fail "simple form: exit $rc $(cat "$w/err")"
[ "$(mails)" = 1 ] && [ "$(cut -d: -f1 "$d/num")" = 1 ] || fail "simple form did not post"
grep -q '^Tsub1@example.org' <(tr '\0' '\n' <"$(last_env)") || fail "simple form envelope"
[ -z "$(pending)" ] || fail "simple form queued something"

touch "$d/modpost"
# A moderator's own post: queued, the request goes to him alone.
store mod1@example.org
[ $rc = 0 ] || fail "moderator post: exit $rc $(cat "$w/err")"
grep -Eq '^ezmlm-store: info: qp [0-9]+$' "$w/err" || fail "no qp line: $(cat "$w/err")"
[ "$(mails)" = 2 ] || fail "no request"
[ "$(envelope_text "$(last_env)")" = "Flist-return-@example.test|Tmod1@example.org||" ] ||
  fail "moderator request envelope: $(envelope_text "$(last_env)")"
name=$(pending)
[[ $name =~ ^[0-9]+\.[0-9]+$ ]] || fail "pending: $name"
[ -x "$d/mod/pending/$name" ] || fail "pending file without its x bit"
m=$(last_msg)
[ "$(header_names "$m" | tr '\n' ' ')" = "Mailing-List Date Message-ID From To MIME-Version Content-Type Reply-To Subject " ] ||
  fail "request header set: $(header_names "$m" | tr '\n' ' ')"
h=${name//./\\.}
field "$m" From | grep -Eqx "list-reject-$h\.[a-p]{20}@example.test" || fail "From: $(field "$m" From)"
field "$m" Reply-To | grep -Eqx "list-accept-$h\.[a-p]{20}@example.test" || fail "Reply-To: $(field "$m" Reply-To)"
[ "$(field "$m" To)" = "<list-moderators@example.test>" ] || fail "To: $(field "$m" To)"
[ "$(field "$m" Subject)" = "MODERATE for list@example.test" ] || fail "Subject: $(field "$m" Subject)"
field "$m" Content-Type | grep -Eqx 'multipart/mixed; boundary=[a-p]{20}' || fail "Content-Type: $(field "$m" Content-Type)"
grep -q '^Content-Type: message/rfc822' "$m" || fail "post not attached"
accept=$(field "$m" Reply-To)
grep -qx "   $accept" "$m" || fail "mod-request text lacks the accept address"
grep -qx 'body line' "$m" || fail "request lacks the body"
head -2 "$d/mod/pending/$name" | tr '\n' '|' | grep -qx 'Return-Path: <mod1@example.org>|Delivered-To: moderator for list@example.test|' ||
  fail "queue file head: $(head -2 "$d/mod/pending/$name")"
rm -f "$d"/mod/pending/*

# Anyone else: the request goes to every moderator, the post waits.
store poster@example.org
[ $rc = 0 ] || fail "stranger: exit $rc"
[ "$(tr '\0' '\n' <"$(last_env)" | sed 1d | LC_ALL=C sort | tr '\n' '|')" = "|Tmod1@example.org|Tmod2@example.org|" ] ||
  fail "all moderators: $(envelope_text "$(last_env)")"
grep -q '^Cc:' "$(last_msg)" && fail "Cc without remote"
[ "$(pending | wc -l)" = 1 ] || fail "not queued"
rm -f "$d"/mod/pending/*

# remote: a non-moderator's request carries the allow-add Cc.
touch "$d/remote"
store poster@example.org
field "$(last_msg)" Cc | grep -Eqx 'list-allow-tc\.[0-9]+\.[a-p]{20}-poster=example.org@example.test' ||
  fail "allow Cc: $(field "$(last_msg)" Cc)"
rm -f "$d/remote" "$d"/mod/pending/*

# -P and modpostonly: moderators still go to moderation, others refused, no mail.
n=$(mails)
store mod2@example.org -P
[ $rc = 0 ] && [ "$(mails)" = $((n + 1)) ] || fail "-P refused a moderator"
grep -q '^Reply-To: list-accept-' "$(last_msg)" || fail "-P: Reply-To"
n=$(mails)
store poster@example.org -P
[ $rc = 100 ] || fail "-P let a stranger post: $rc"
grep -q 'only moderators may post' "$w/err" || fail "-P text: $(cat "$w/err")"
touch "$d/modpostonly"
store poster@example.org
[ $rc = 100 ] || fail "modpostonly let a stranger post: $rc"
store poster@example.org -p
[ $rc = 0 ] || fail "-p did not override modpostonly: $rc"
rm -f "$d/modpostonly"
[ "$(mails)" = $((n + 1)) ] || fail "refusals sent mail"
[ "$(pending | wc -l)" = 2 ] || fail "refusals queued posts: $(pending)"
rm -f "$d"/mod/pending/*

# -s: modpost names the self-approvers; requests of others go to mod.
ez ezmlm-sub "$d" allow mod3@example.org
echo allow >"$d/modpost"
store mod3@example.org -s
[ "$(envelope_text "$(last_env)")" = "Flist-return-@example.test|Tmod3@example.org||" ] || fail "-s self approval"
store poster@example.org -s
[ "$(tr '\0' '\n' <"$(last_env)" | sed 1d | LC_ALL=C sort | tr '\n' '|')" = "|Tmod1@example.org|Tmod2@example.org|" ] ||
  fail "-s others: $(envelope_text "$(last_env)")"
store poster@example.org
[ "$(envelope_text "$(last_env)")" = "Flist-return-@example.test|Tmod3@example.org||" ] || fail "modpost db: $(envelope_text "$(last_env)")"
: >"$d/modpost"
rm -f "$d"/mod/pending/*

# -M appends the post; -B leaves the body out.
store poster@example.org -M
grep -q '^Content-Type: text/plain' "$(last_msg)" || fail "-M: $(field "$(last_msg)" Content-Type)"
grep -qx 'body line' "$(last_msg)" || fail "-M lost the post"
store poster@example.org -B
grep -qx 'Subject: a post' "$(last_msg)" || fail "-B lost the header"
grep -qx 'body line' "$(last_msg)" && fail "-B kept the body"
grep -qx 'body line' "$d/mod/pending/$(pending | tail -1)" || fail "-B: the queued post lost its body"
rm -f "$d"/mod/pending/*

# Refusals that leave nothing: our own moderator line, a Mailing-List header, a bounce.
n=$(mails)
{ echo "Delivered-To: moderator for list@example.test"; cat "$w/post"; } >"$w/loop"
rc=0; SENDER=poster@example.org ez ezmlm-store "$d" <"$w/loop" 2>"$w/err" || rc=$?
[ $rc = 100 ] && grep -q 'Delivered-To' "$w/err" || fail "loop: $rc $(cat "$w/err")"
{ echo "Mailing-List: contact other-help@example.net"; cat "$w/post"; } >"$w/ml"
rc=0; SENDER=poster@example.org ez ezmlm-store "$d" <"$w/ml" 2>"$w/err" || rc=$?
[ $rc = 100 ] || fail "Mailing-List: $rc"
store ''
[ $rc = 100 ] && grep -q 'bounce' "$w/err" || fail "bounce sender: $rc $(cat "$w/err")"
[ "$(mails)" = $n ] || fail "refusals sent mail"
[ -z "$(ls -A "$d/mod/pending")" ] || fail "refusals left files: $(ls -A "$d/mod/pending")"

# qmail-queue fails: 111, and no orphan in the queue.
queue_all 71
store poster@example.org
[ $rc = 111 ] || fail "queue failure: exit $rc"
[ -z "$(ls -A "$d/mod/pending")" ] || fail "queue failure left $(ls -A "$d/mod/pending")"
echo ok
