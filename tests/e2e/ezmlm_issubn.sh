#!/bin/bash
# ezmlm-issubn as a .qmail program: exit codes 0/99 and -n, SENDER missing
# (100) or a bounce (never subscribed), forwarded senders decoded (SRS0,
# SRS1, prvs both orders, btv1: ezmlm-idx test 400), db arguments outside
# the list refused (111).
set -eu
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env
L=$ez/list
make_list "$L" list example.test
ez ezmlm-sub "$L" xyzzy@host
ez ezmlm-sub "$L" deny spammer@host

expect_exit ezmlm-issubn 100 "ezmlm-issubn: fatal: SENDER not set" "$L"
SENDER= expect_exit ezmlm-issubn 99 "" "$L"
SENDER= expect_exit ezmlm-issubn 0 "" -n "$L"
SENDER='#@[]' expect_exit ezmlm-issubn 99 "" "$L"
for s in 'SRS0=HHH=TT=host=xyzzy@fwd.example' \
         'SRS1=HHH=fwd0.example==HHH=TT=host=xyzzy@fwd1.example' \
         'prvs=0123456789=xyzzy@host' 'prvs=xyzzy=0123456789@host' \
         'prvs=123456789=xyzzy@host' 'btv1==0123456789==xyzzy@host'; do
  SENDER=$s expect_exit ezmlm-issubn 0 "" "$L"
done
SENDER='prvs=12345678=xyzzy@host' expect_exit ezmlm-issubn 99 "" "$L"
SENDER=xyzzy@host expect_exit ezmlm-issubn 111 \
  "ezmlm-issubn: fatal: absolute directory names outside of the list directory are no longer supported (#4.3.0)" "$L" /etc
SENDER=xyzzy@host expect_exit ezmlm-issubn 111 \
  "ezmlm-issubn: fatal: a subscriber database must be a subdirectory of the list directory (#4.3.0)" "$L" ../list
expect_exit ezmlm-issubn 100 "ezmlm-issubn: usage: ezmlm-issubn [-nN] dir [subdir ...]" -q "$L"

echo ok
