#!/bin/bash
# e2e: ezmlm-manage's moderated subscription and remote administration with
# a fake qmail-queue (ezmlm-idx tests 160 and 260; reference ezmlm.md 4):
# deny- for remote moderators only, the sc -> tc -> welcome chain of a
# moderated digest subscription, rc/wc for remote moderators, get.N and -C,
# edit/ed. of a text, allow-list/allow-log for moderators with -l.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
archived_list
touch "$d/public"
echo 100 >"$d/confirmlimit"
fake_qmail_queue
ez ezmlm-sub "$d" mod mod@example.org
SENDER=user@example.org
export SENDER
printf 'From: <%s>\nSubject: cmd\n\n' "$SENDER" >"$w/req"

manage() {  # manage DEFAULT [ARGS] — expect exit 0 and a qp line
  local def=$1
  shift
  rm -f "$ez/qq.msg" "$ez/qq.env"
  DEFAULT=$def ez ezmlm-manage "$@" "$d" <"$w/req" 2>"$w/err" || fail "ezmlm-manage $def: $(cat "$w/err")"
  grep -Eq '^ezmlm-manage: info: qp [0-9]+$' "$w/err" || fail "$def: no qp line: $(cat "$w/err")"
}
refused() {  # refused DEFAULT TEXT [ARGS] — exit 100 with TEXT, no mail
  local def=$1 text=$2
  shift 2
  rm -f "$ez/qq.msg"
  DEFAULT=$def expect_exit ezmlm-manage 100 "ezmlm-manage: fatal: $text" "$@" "$d" <"$w/req"
  [ ! -e "$ez/qq.msg" ] || fail "$def: mail sent although refused"
}
hdr() { sed '/^$/q' "$ez/qq.msg" | sed -n "s/^$1: //p"; }
names() { sed '/^$/q' "$ez/qq.msg" | grep -v '^$' | grep -v '^[ 	]' | sed 's/:.*//' | tr '\n' ' '; }
# 510-514: the header set of a reply (the request carries no Delivered-To).
base="Mailing-List List-Help List-Post List-Subscribe Date Message-ID From To Delivered-To MIME-Version Content-Type"
body_has() { sed '1,/^$/d' "$ez/qq.msg" | grep -qF -- "$1" || fail "body lacks '$1': $(cat "$ez/qq.msg")"; }
env_is() { [ "$(envelope_text "$ez/qq.env")" = "$1" ] || fail "envelope $(envelope_text "$ez/qq.env"), want $1"; }
local_of() { local a=${1#list-}; echo "${a%@example.test}"; }

# 160: deny- without remote/modsub is refused for everyone.
refused deny-subscribe-bad=example.org "only moderators may use this command (#5.7.2)"
SENDER=mod@example.org refused deny-subscribe-bad=example.org "only moderators may use this command (#5.7.2)"

# With remote, a moderator's deny-subscribe goes back to him as rc.
touch "$d/remote"
refused deny-subscribe-bad=example.org "only moderators may use this command (#5.7.2)"
SENDER=mod@example.org manage deny-subscribe-bad=example.org
[ "$(hdr To)" = "mod@example.org" ] || fail "rc To $(hdr To)"
[ "$(hdr Subject)" = "CONFIRM subscribe to list-deny@example.test" ] || fail "rc subject $(hdr Subject)"
env_is "Flist-deny-return-@example.test|Tmod@example.org||"
[ "$(names)" = "$base Reply-To Subject " ] || fail "rc headers: $(names)"
rc=$(hdr Reply-To)
[[ "$rc" =~ ^list-deny-rc\.[0-9]+\.[a-p]{20}-bad=example\.org@example\.test$ ]] || fail "rc address $rc"
body_has "Someone asked to add the address"
SENDER=mod@example.org DEFAULT=$(local_of "$rc") ez ezmlm-manage "$d" <"$w/req" 2>"$w/err" || fail "deny rc: $(cat "$w/err")"
grep -qx 'ezmlm-manage: info: Processed SENDER check addition request' "$w/err" || fail "deny info: $(cat "$w/err")"
[ "$(ez ezmlm-list "$d" deny)" = "bad@example.org" ] || fail "deny db"
grep -Eq '^[0-9]+ \+mod bad@example.org' "$d/deny/Log" || fail "deny Log: $(cat "$d/deny/Log")"

# A remote moderator's unsubscribe of someone: wc to the moderator, then goodbye to the target.
ez ezmlm-sub "$d" gone@example.org
SENDER=mod@example.org manage unsubscribe-gone=example.org
[ "$(hdr Subject)" = "CONFIRM unsubscribe from list@example.test" ] || fail "wc subject"
[ "$(names)" = "$base Reply-To Subject " ] || fail "wc headers: $(names)"
wc=$(hdr Reply-To)
[[ "$wc" =~ ^list-wc\. ]] || fail "wc address $wc"
SENDER=mod@example.org manage "$(local_of "$wc")"
[ "$(hdr To)" = "gone@example.org" ] || fail "wc notice To"
[ "$(hdr Subject)" = "GOODBYE from list@example.test" ] || fail "wc notice subject"
[ -z "$(ez ezmlm-list "$d")" ] || fail "wc did not remove"
grep -Eq '^[0-9]+ -mod gone@example.org' "$d/Log" || fail "wc Log"
rm "$d/remote"

# 160: a moderated digest subscription: sc to the target, tc to the moderators, welcome.
touch "$d/modsub"
manage digest-subscribe
sc=$(hdr Reply-To)
[[ "$sc" =~ ^list-digest-sc\. ]] || fail "digest sc $sc"
manage "$(local_of "$sc")"
[ "$(hdr Subject)" = "CONFIRM subscribe to list-digest@example.test" ] || fail "tc subject $(hdr Subject)"
[ "$(names)" = "$base Reply-To Subject " ] || fail "tc headers: $(names)"
[ "$(hdr To)" = "list-moderators@example.test" ] || fail "tc To $(hdr To)"
env_is "Flist-digest-return-@example.test|Tmod@example.org||"
tc=$(hdr Reply-To)
[[ "$tc" =~ ^list-digest-tc\.[0-9]+\.[a-p]{20}-user=example\.org@example\.test$ ]] || fail "tc address $tc"
[ -z "$(ez ezmlm-list "$d" digest)" ] || fail "subscribed before the moderator agreed"
cp "$w/req" "$w/req.user"
printf 'From: The Moderator <mod@example.org>\nSubject: ok\n\n' >"$w/req"
SENDER=mod@example.org manage "$(local_of "$tc")"
cp "$w/req.user" "$w/req"
grep -Eq '^[0-9]+ \+ user@example.org <user@example.org>$' "$d/digest/Log" || fail "tc Log: $(cat "$d/digest/Log")"
[ "$(hdr To)" = "user@example.org" ] || fail "welcome To $(hdr To)"
[ "$(hdr Subject)" = "WELCOME to list-digest@example.test" ] || fail "welcome subject"
[ "$(names)" = "$base List-Unsubscribe Subject " ] || fail "mod welcome headers: $(names)"
body_has "The address was subscribed on a moderator's request."
if grep -q 'mod@example.org' "$ez/qq.msg"; then fail "the welcome shows the moderator"; fi
[ "$(ez ezmlm-list "$d" digest)" = "user@example.org" ] || fail "tc did not subscribe"
# The same tc again: silent.
SENDER=mod@example.org DEFAULT=$(local_of "$tc") ez ezmlm-manage "$d" <"$w/req" 2>"$w/err" || fail "second tc"
if grep -q 'qp' "$w/err"; then fail "second tc answered"; fi
# -S with modsub: straight to the moderators.
manage subscribe-x=example.org -S
[ "$(hdr Subject)" = "CONFIRM subscribe to list@example.test" ] || fail "-S modsub"
# -m: unsubscriptions need a moderator too (vc).
ez ezmlm-sub "$d" user@example.org
manage unsubscribe -m -U
[ "$(hdr Subject)" = "CONFIRM unsubscribe from list@example.test" ] || fail "vc subject $(hdr Subject)"
[ "$(names)" = "$base Reply-To Subject " ] || fail "vc headers: $(names)"
vc=$(hdr Reply-To)
[[ "$vc" =~ ^list-vc\. ]] || fail "vc address $vc"
SENDER=mod@example.org manage "$(local_of "$vc")"
[ "$(hdr Subject)" = "GOODBYE from list@example.test" ] || fail "vc goodbye"
[ -z "$(ez ezmlm-list "$d")" ] || fail "vc did not remove"
rm "$d/modsub"

# -Q: the owner gets a copy of a failed unsubscription; -QQ of every change.
manage unsubscribe-nobody=example.org -Q -U
env_is "Flist-return-@example.test|Tnobody@example.org|Tlist-owner@example.test||"
manage subscribe-q=example.org -QQ -S
env_is "Flist-return-@example.test|Tq@example.org|Tlist-owner@example.test||"
manage subscribe-q2=example.org -Q -S
env_is "Flist-return-@example.test|Tq2@example.org||"

# 160: get.1 returns message 1; -C refuses.
mkdir -p "$d/archive/0"
printf 'Subject: first\n\nhello archive\n' >"$d/archive/0/01"
chmod 0744 "$d/archive/0/01"
manage get.1
body_has "> hello archive"
manage get.2
body_has "I could not find that message in the archive."
refused get.1 "archive commands are turned off on this list (#5.7.2)" -C

# 260: edit needs remote + -e/modcanedit and a moderator target.
echo "old test text" >"$d/text/test"
refused edit.test "this command is not available on this list (#5.7.2)" -e
touch "$d/remote"
refused edit.test "this command is not available on this list (#5.7.2)"
refused edit.test "only moderators may use this command (#5.7.2)" -e
SENDER=mod@example.org manage edit.test -e
[ "$(hdr Subject)" = "EDIT test for list@example.test" ] || fail "edit subject $(hdr Subject)"
ed=$(hdr Reply-To)
[[ "$ed" =~ ^list-ed\.[0-9]+\.test\.[a-p]{20}@example\.test$ ]] || fail "ed address $ed"
body_has "%%% START OF TEXT FILE"
body_has "old test text"
touch "$d/modcanedit"
printf 'From: mod@example.org\nSubject: Re: EDIT\n\n> %%%%%% START OF TEXT FILE\n> new text line\n>\n> second\n> %%%%%% END OF TEXT FILE\n' >"$w/edreply"
SENDER=mod@example.org DEFAULT=$(local_of "$ed") ez ezmlm-manage "$d" <"$w/edreply" 2>"$w/err" >/dev/null || fail "ed: $(cat "$w/err")"
[ "$(hdr Subject)" = "Success editing test for list@example.test" ] || fail "ed subject $(hdr Subject)"
[ "$(cat "$d/text/test")" = "$(printf 'new text line\n\nsecond')" ] || fail "edited text: $(cat "$d/text/test")"
[ "$(stat -c %a "$d/text/test")" = 600 ] || fail "edited text mode"
# The same cookie again: the file changed, so it is refused.
rc=0
SENDER=mod@example.org DEFAULT=$(local_of "$ed") ez ezmlm-manage "$d" <"$w/edreply" 2>"$w/err" || rc=$?
[ "$rc" = 100 ] || fail "second ed: exit $rc"
grep -qx 'ezmlm-manage: info: bad or outdated edit cookie for test' "$w/err" || fail "second ed: $(cat "$w/err")"
grep -qx 'ezmlm-manage: fatal: this moderation request is malformed or out of date (#5.7.1)' "$w/err" || fail "second ed fatal"
grep -q 'new text line' "$d/text/test" || fail "refused edit changed the file"
# A multipart reply (text and HTML) with a quoted-printable text part.
SENDER=mod@example.org manage edit.test
ed=$(hdr Reply-To)
cat >"$w/edreply" <<'MSG'
From: mod@example.org
Subject: Re: EDIT
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

> %%% START OF TEXT FILE
> caf=C3=A9 =3D soft=
 break
> %%% END OF TEXT FILE
--b1
Content-Type: text/html

<p>%%% START OF TEXT FILE</p><p>html</p><p>%%% END OF TEXT FILE</p>
--b1--
MSG
SENDER=mod@example.org DEFAULT=$(local_of "$ed") ez ezmlm-manage "$d" <"$w/edreply" 2>"$w/err" >/dev/null || fail "multipart ed: $(cat "$w/err")"
[ "$(cat "$d/text/test")" = "$(printf 'caf\xc3\xa9 = soft break')" ] || fail "multipart edit: $(cat "$d/text/test")"
# No markers, or too much text: refused, the file stays.
SENDER=mod@example.org manage edit.test
ed=$(hdr Reply-To)
printf 'From: mod@example.org\n\njust text\n' >"$w/edreply"
SENDER=mod@example.org DEFAULT=$(local_of "$ed") expect_exit ezmlm-manage 100 \
  "ezmlm-manage: fatal: the reply has no text between the two marker lines (#5.7.0)" "$d" <"$w/edreply"
{ printf 'From: mod@example.org\n\n%%%%%% START OF TEXT FILE\n'; head -c 12000 /dev/zero | tr '\0' 'x'; printf '\n%%%%%% END OF TEXT FILE\n'; } >"$w/edreply"
SENDER=mod@example.org DEFAULT=$(local_of "$ed") expect_exit ezmlm-manage 100 \
  "ezmlm-manage: fatal: the edited text is longer than 10240 bytes (#5.2.3)" "$d" <"$w/edreply"
[ "$(cat "$d/text/test")" = "$(printf 'caf\xc3\xa9 = soft break')" ] || fail "refused edit changed the file"
SENDER=mod@example.org manage edit
[ "$(hdr Subject)" = "Text files for list@example.test" ] || fail "edit list subject"
body_has "sub-confirm"

# 260: allow-list / allow-log need -l or modcanlist, and a moderator target.
ez ezmlm-sub "$d" allow aaa@bbb
refused allow-list-mod=example.org "this command is not available on this list (#5.7.2)"
refused allow-list "only moderators may use this command (#5.7.2)" -l
manage allow-list-mod=example.org -l
[ "$(hdr To)" = "mod@example.org" ] || fail "list goes to the moderator"
[ "$(hdr Subject)" = "Subscriber list for list-allow@example.test" ] || fail "list subject $(hdr Subject)"
body_has "aaa@bbb"
body_has "======> 1"
touch "$d/modcanlist"
manage allow-listn-mod=example.org
body_has "======> 1"
if sed '1,/^$/d' "$ez/qq.msg" | grep -q '^aaa@bbb$'; then fail "listn listed addresses"; fi
manage allow-log-mod=example.org
[ "$(hdr Subject)" = "Subscription log for list-allow@example.test" ] || fail "log subject"
sed '1,/^$/d' "$ez/qq.msg" | grep -Eq '^[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} -0000: \+manual aaa@bbb$' || fail "log line: $(cat "$ez/qq.msg")"
manage allow-log.zzz-mod=example.org
if grep -q 'aaa@bbb' <(sed '1,/^$/d' "$ez/qq.msg" | grep -- '-0000:'); then fail "log search matched"; fi
manage allow-log.aaa-mod=example.org
body_has "+manual aaa@bbb"

# help for a moderator target.
manage help-mod=example.org
[ "$(hdr Subject)" = "Moderator help for list@example.test" ] || fail "mod help subject $(hdr Subject)"
body_has "Thank you for moderating"
echo ok
