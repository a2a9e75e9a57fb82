#!/bin/bash
# e2e: flag sections in the texts a responder sends (ezmlm-idx tests 135
# and 504). A text/top with one <=x=> section per flag 0-9 and a-z,
# rendered by ezmlm-manage's help reply, shows exactly the sections of the
# flags that are on; the `flags` file and a `config` F: line override the
# marker files (addtrailer for <=t=>); the numeric flag 9 is the `remote`
# file.
set -euo pipefail
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
QMAILHOME=$ez
export QMAILHOME
l=$ez/team
ez ezmlm-make "$l" "$ez/.qmail-team" team example.test || fail "ezmlm-make failed"
fake_qmail_queue
printf 'From: t@example.org\nSubject: help\n\n' >"$w/req"

# One section per flag; each line names its flag.
{
  for f in 0 1 2 3 4 5 6 7 8 9 a b c d e f g h i j k l m n o p q r s t u v w x y z; do
    printf '<=%s=>\nsection-%s\n' "$f" "$f"
  done
  printf '<==>\nafter-all\n'
} >"$l/text/top"

# sections — the section names present in the help reply, sorted, on one line.
sections() {
  rm -f "$ez/qq.msg"
  SENDER=t@example.org DEFAULT=help ez ezmlm-manage "$l" <"$w/req" 2>"$w/err" ||
    fail "ezmlm-manage help: $(cat "$w/err")"
  grep -q '^after-all$' "$ez/qq.msg" || fail "text after <==> missing"
  sed -n 's/^section-//p' "$ez/qq.msg" | sort | tr '\n' ' '
}

# has "LIST" FLAG... — true when every FLAG is in the space-separated LIST.
has() {
  local list=" $1 " f
  shift
  for f; do [[ $list == *" $f "* ]] || return 1; done
}

# expected — what the marker-file rule of ezmlm.md 1.1 says: a letter is on
# when its file exists (q always, e v z never), a digit when its file does.
flag_file() {
  case $1 in
    a) echo archived ;; b) echo modgetonly ;; c) echo ezmlmrc ;; d) echo digest ;;
    f) echo prefix ;; g) echo subgetonly ;; h) echo nosubconfirm ;; i) echo threaded ;;
    j) echo nounsubconfirm ;; k) echo deny ;; l) echo modcanlist ;; m) echo modpost ;;
    n) echo modcanedit ;; o) echo modpostonly ;; p) echo public ;; r) echo remote ;;
    s) echo modsub ;; t) echo addtrailer ;; u) echo subpostonly ;; w) echo nowarn ;;
    x) echo mimeremove ;; y) echo confirmpost ;;
    0) echo sublist ;; 3) echo fromheader ;; 5) echo owner ;; 6) echo subdb ;;
    7) echo modpost ;; 8) echo modsub ;; 9) echo remote ;;
    *) echo "" ;;
  esac
}
expected() {
  local f file
  for f in 0 1 2 3 4 5 6 7 8 9 a b c d e f g h i j k l m n o p q r s t u v w x y z; do
    file=$(flag_file "$f")
    if [ "$f" = q ] || { [ -n "$file" ] && [ -e "$l/$file" ]; }; then echo "$f"; fi
  done | sort | tr '\n' ' '
}

# The default list: sections follow the marker files exactly.
rm -f "$l/flags" "$l/config"
got=$(sections)
want=$(expected)
[ "$got" = "$want" ] || fail "default list: sections '$got', marker files say '$want'"
has "$got" a p q || fail "default list (archived, public): $got"

# 135: switches change the sections.
ez ezmlm-make -+tu "$l" || fail "-+tu"
rm -f "$l/flags" "$l/config"
got=$(sections)
has "$got" t u || fail "-+tu: sections $got"
[ "$got" = "$(expected)" ] || fail "-+tu: sections '$got', want '$(expected)'"
ez ezmlm-make -+TU "$l" || fail "-+TU"
rm -f "$l/flags" "$l/config"
got=$(sections)
case " $got " in *" t "* | *" u "*) fail "-+TU: sections $got" ;; esac

# 504: a flags file overrides the marker files: addtrailer absent, t on.
# Digits follow their files whatever flags says: $n is those that exist
# (5 = owner, which ezmlm-make wrote; 6 = subdb on the SQL store).
n=$(expected | tr ' ' '\n' | grep '^[0-9]$' | tr '\n' ' ')
[ ! -e "$l/addtrailer" ] || fail "addtrailer still there"
echo aBcDeFgHiJkLmNoPqRsTuVwXyZ >"$l/flags"
got=$(sections)
[ "$got" = "${n}a c e g i k m o q s u w y " ] || fail "flags aBcD...: sections '$got'"
echo aBCDEFGHiJKLMNOpqRSTUVWXYZ >"$l/flags"
got=$(sections)
[ "$got" = "${n}a i p q " ] || fail "flags aBC...: sections '$got'"
echo aBCDEFGHiJKLMNOpqRStUVWXYZ >"$l/flags"
got=$(sections)
[ "$got" = "${n}a i p q t " ] || fail "flags with t, no addtrailer file: sections '$got'"
# ... and with the marker file present, a flags file without t turns it off.
touch "$l/addtrailer"
echo aBCDEFGHiJKLMNOpqRSTUVWXYZ >"$l/flags"
got=$(sections)
[ "$got" = "${n}a i p q " ] || fail "flags T with addtrailer: sections '$got'"
# A config F: line does the same when there is no flags file.
rm "$l/flags"
printf 'X:\nF:-aBCDEFGHiJKLMNOPqRSTUVWXYZ\n' >"$l/config"
got=$(sections)
[ "$got" = "${n}a i q " ] || fail "config F: line: sections '$got'"
rm "$l/config" "$l/addtrailer"

# 504: the numeric flag 9 is the file `remote` (what -+r -9 DB writes), and
# it follows the file even when flags say R (digits are never in flags).
ez ezmlm-make -+r "$l" || fail "-+r"
[ -e "$l/remote" ] || fail "-+r wrote no remote file"
got=$(sections)
has "$got" 9 r || fail "-+r: sections $got"
echo aBCDEFGHiJKLMNOpqRSTUVWXYZ >"$l/flags"
got=$(sections)
case " $got " in *" r "*) fail "flags R: sections $got" ;; esac
case " $got " in *" 9 "*) ;; *) fail "flags R dropped the numeric flag 9: $got" ;; esac
rm "$l/flags"
ez ezmlm-make -+R "$l" || fail "-+R"
got=$(sections)
case " $got " in *" 9 "* | *" r "*) fail "-+R: sections $got" ;; esac
echo ok
