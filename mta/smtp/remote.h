// mta/smtp/remote.h — qmail-remote: deliver one message to one destination
// host over SMTP and tell qmail-rspawn what happened (reference mta.md 9).
//
// run() is the whole program after argv: it reads the controls, finds the
// mail exchangers (smtproutes, MX, AAAA/A), connects to the first that
// answers (skipping those queue/lock/tcpto marks as down), runs one SMTP
// transaction for all recipients and writes the reports of 9.5 to `out`:
// one per recipient (r, h or s + text + NUL, in argv order) and then one for
// the message (K, Z or D + text + NUL). It never throws for trouble with the
// destination; that is what the reports are for.
//
// Beyond qmail: EHLO (HELO if refused), PIPELINING, STARTTLS by the policy of
// control/tlsdestinations, SMTPUTF8, SIZE=, BODY=8BITMIME, IPv6, and the
// port override control/remoteport (for test rigs and submission relays).
//
// Standards: RFC 5321, 1869, 1870 (SIZE), 2920 (PIPELINING), 3207
// (STARTTLS), 6152 (8BITMIME), 6531 (SMTPUTF8), 3463 (status codes).
// Security: runs as qmailr; the remote server and the DNS are untrusted:
// every reply goes through the capped parser of remote_parts.h.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "mta/core/io.h"
#include "mta/core/paths.h"

namespace mta::remote {

// One recipient's copy of a message rendered per recipient (RFC 8058,
// render/oneclick.h): everything in front of the body (its DKIM-Signature
// fields and rendered header, blank line included) and where the body
// starts in the message file.
struct Copy {
  std::string head;
  off_t body_offset = 0;
};

struct Job {
  std::string host;
  std::string sender;
  std::vector<std::string> recipients;
  // Header fields sent in front of the message (qmail-remote's DKIM-Signature
  // fields, dkim(5)); LF line ends like the message.
  std::string prefix;
  // Set for a message rendered per recipient: render(i) makes recipient i's
  // copy, and each recipient gets a transaction of its own on the same
  // connection (MAIL, RCPT, DATA, then RSET when a step was refused). Its
  // outcome is in the recipient's report (r — in a VERP batch of several
  // "r<ip> accepted message.\nRemote host said: <reply>\n" — or h/s with
  // the server's reply); the message report is K once one copy was accepted. Unset:
  // one transaction with every recipient, prefix in front of the message.
  std::function<Copy(std::size_t)> render;
  // Set for a VERP batch (qmail-remote(8)): senders[i] is recipient i's
  // envelope sender, the template's expansion for it. Needs render, since
  // each recipient then has a transaction of its own.
  std::vector<std::string> senders;
};

// Delivers the message on `message_fd` (read once, from its current offset).
void run(const Home& home, const Job& job, int message_fd, io::Writer& out);

}  // namespace mta::remote
