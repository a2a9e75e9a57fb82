// mta/send/clean.h — qmail-clean's work (reference mta.md 4.9).
//
// qmail-clean runs in QH/queue as qmailq and removes the files qmail-send
// may not: it reads NUL-terminated commands on fd 0 and answers one byte on
// fd 1 for each:
//   "foop/<id>"  unlink intd/<id>, then mess/<id % split>/<id>   -> '+'
//   "todo/<id>"  unlink intd/<id>, then todo/<id>                -> '+'
// An unlink failing other than with ENOENT answers '!'; a command that is
// too short, too long or not one of these answers 'x'. Every 30 commands,
// and before the first, files in pid/ whose atime is over 36 hours old are
// removed: they are left by a qmail-queue that crashed before its commit.
#pragma once

#include <ctime>
#include <string_view>

#include "mta/core/queue_layout.h"

namespace mta::send {

inline constexpr std::time_t pid_max_age = 129600;  // 36 hours
inline constexpr unsigned clean_sweep_every = 30;

// clean_command - carry out one command (without its NUL); returns the answer byte.
char clean_command(const QueueLayout& q, std::string_view command);

// sweep_pid - remove pid/ files whose atime is before now - pid_max_age.
void sweep_pid(const QueueLayout& q, std::time_t now);

// run_clean - the command loop on fds in/out until EOF on in.
void run_clean(const QueueLayout& q, int in, int out);

}  // namespace mta::send
