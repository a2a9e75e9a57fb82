// mta/send/sender.h — the qmail-send daemon: preprocessing, scheduling,
// delivery bookkeeping, bounces and completion (reference mta.md 2.4, 4).
//
// qmail-send is started by qmail-start with fd 0 = log, fd 1/2 = commands
// to/reports from qmail-lspawn, fd 3/4 = the same for qmail-rspawn and fd
// 5/6 = commands to/answers from qmail-clean. It is one thread around one
// ppoll(): no sleeping except the documented "alert" sleeps, no busy waiting.
// The pure parts live in rewrite, retry, bounce, records, report and logline.
//
// The commit points (reference 18.1): preprocessing ends when qmail-clean
// has removed todo/<id>; a recipient is done when its T byte is overwritten
// by D (fsync'd); a message is gone when info/<id> is unlinked. A crash
// anywhere else is repaired by redoing work.
#pragma once

#include "mta/core/paths.h"

namespace mta::send {

struct SendFds {
  int log = 0;
  int lspawn_cmd = 1, lspawn_report = 2;
  int rspawn_cmd = 3, rspawn_report = 4;
  int clean_cmd = 5, clean_answer = 6;
};

// run_send - the whole daemon; returns the exit code (0 after TERM, 111 if it
// cannot start, having logged "alert: cannot start: ...").
int run_send(const Home& home, const SendFds& fds = {});

}  // namespace mta::send
