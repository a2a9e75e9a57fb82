#!/bin/bash
# ezmlm-weed (ezmlm-idx test 130 and 3.2): a plain message passes (0);
# "Subject: success notice" and other automatic mail is dropped (99); a DSN
# multipart/report header without a body passes; a delay/success DSN is
# dropped and a failure DSN passes on to the bounce handler; sendmail's
# warning box is dropped; "Auto-Submitted: no" is a person (passes).
set -eu
. "$LETTERSHOP_SRC/tests/e2e/lib/ezmlm.sh"
ezmlm_env

weed() {  # weed WANT_EXIT <message
  expect_exit ezmlm-weed "$1" ""
}

printf 'From: joe@example.test\nSubject: hello\n\nbody\n' | weed 0
printf 'Subject: success notice\n\nHi. This is the qmail-send program.\n' | weed 99
printf 'Subject: deferral notice\n\n' | weed 99
printf 'Subject: Success notice\n\n' | weed 0   # the prefixes are case-sensitive
printf 'From: a@b\nPrecedence: bulk\n\n' | weed 99
printf 'From: a@b\nPrecedence: junk\n\n' | weed 99
printf 'From: a@b\nPrecedence: list\n\n' | weed 99
printf 'From: a@b\nMailing-List: contact x-help@y\n\n' | weed 99
printf 'From: a@b\nList-ID: <x.y>\n\n' | weed 99
printf 'From: a@b\nList-Unsubscribe: <mailto:x@y>\n\n' | weed 99
printf 'From: a@b\nX-Mailing-List: x\n\n' | weed 99
printf 'From: a@b\nAuto-Submitted: auto-replied\n\n' | weed 99
printf 'From: a@b\nAuto-Submitted: no\n\n' | weed 0
printf 'From: a@b\nX-Amazon-Auto-Reply: yes\n\n' | weed 99
printf 'From: a@b\nSubject: Out of Office AutoReply: gone\n\n' | weed 99
# Header lines only: continuation text does not count.
printf 'From: a@b\nSubject: hi\n Precedence: bulk\n\n' | weed 0

# DSNs.
dsn() {  # dsn ACTION
  printf 'From: MAILER-DAEMON@example.test\nContent-Type: multipart/report;\n report-type="delivery-status";\n boundary="b1"\n\n'
  printf -- '--b1\nContent-Type: text/plain\n\nnotice\n--b1\nContent-Type: message/delivery-status\n\n'
  printf 'Reporting-MTA: dns; example.test\n\nFinal-Recipient: rfc822; x@example.test\nAction: %s\nStatus: 4.4.1\n--b1--\n' "$1"
}
printf 'From: MAILER-DAEMON@example.test\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n' | weed 0
dsn delayed | weed 99
dsn delivered | weed 99
dsn failed | weed 0
dsn FAILED | weed 0

# sendmail's warning box.
printf 'From: MAILER-DAEMON@x\nSubject: Warning: could not send message for past 4 hours\n\n    foo\n   **********************************************\n   **      THIS IS A WARNING MESSAGE ONLY      **\n   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n   **********************************************\n' | weed 99
printf 'From: MAILER-DAEMON@x\n\n   **********************************************\n   **      THIS IS A WARNING MESSAGE ONLY      **\n' | weed 0
printf 'From: MAILER-DAEMON@x\n\nThe original message was received at Mon, 1 Jan 2026\n\n   ----- The following addresses had transient non-fatal errors -----\n<x@y>\n' | weed 99

# Empty input and a header cut short: keep.
weed 0 </dev/null
printf 'From: a@b' | weed 0
expect_exit ezmlm-weed 0 "ezmlm version: ezmlm-idx-7.2.2 (Lettershop $(ez ezmlm-weed --version | sed 's/.* //'))" -v </dev/null
echo ok
