// mta/local/local.h — qmail-local: deliver one message for one local address.
//
// qmail-lspawn runs qmail-local as the recipient, in the recipient's home,
// with the message on fd 0 (seekable: it is re-read for every instruction)
// and fds 1 and 2 as the report that qmail-send logs or bounces with.
// deliver() does the whole job of reference 7: the home checks, the
// Delivered-To loop check, the .qmail search, then each instruction in file
// order (mbox, Maildir and program deliveries at once, forwards collected and
// queued together at the end with NEWSENDER), and prints "did f+w+p" and
// "qp N". It returns the exit status: 0 delivered, 100 bounce, 111 retry.
//
// Every failure is thrown as TempError or PermError with qmail-local's own
// text and code; run() prints it "Text. (#4.x.y)" on fd 2, as qmail does.
// SECURITY: runs as the recipient; the .qmail file and the message are the
// recipient's and the sender's data; a writable home or .qmail defers.
#pragma once
#include <ctime>
#include <string>
#include <vector>

#include "mta/core/paths.h"

namespace mta::local {

struct Args {
  bool deliver = true;  // false with -n: print the instructions only
  std::string user, home, local, dash, ext, host, sender, defaultdelivery;
};

// Parses "[-nN] [--] user homedir local dash ext domain sender defaultdelivery".
// Throws UsageError (exit 100).
Args parse_args(int argc, char** argv);

// The delivery itself; message_fd is fd 0 in qmail-local. Throws MailError.
int deliver(const Args& args, int message_fd, const Home& qmail, std::time_t now);

// parse_args + deliver with qmail-local's error printing; the exit status.
int run(int argc, char** argv);

}  // namespace mta::local
