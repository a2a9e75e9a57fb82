// mta/queue/enqueue.h — put one message into the queue, as qmail-queue does.
//
// enqueue() reads a message from one descriptor and an envelope from another
// and leaves them in QH/queue in qmail's own format (reference mta.md 2, 3):
//
//   pid/<pid>.<time>.<seq>   created O_EXCL; its inode is the message id
//   mess/<id%23>/<id>        a link to it: our Received line, then the message
//   intd/<id>                "u<uid>\0p<pid>\0F<sender>\0" "T<rcpt>\0"...
//   todo/<id>                a link to intd/<id>: the COMMIT POINT
//
// Guarantees: enqueue returns only after mess and intd are fsynced, the todo
// link exists and the todo directory is fsynced (three fsyncs, no more).
// When it throws before the commit, it has removed everything it created
// (intd before mess, so no intd ever outlives its mess), leaving the queue
// as it found it. A crash (SIGKILL, power loss) before the commit leaves at
// most a pid/ file or a message in state S2/S3, which qmail-send and
// qmail-clean remove after 36 hours; never a todo entry for a partial message.
//
// Errors: every failure is an Error carrying a Failure; exit_code() is the
// one table from Failure to qmail-queue's exit codes (qmail-queue(8)).
// Callers: qmail-queue (setuid qmailq), and unit tests on a scratch queue.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <functional>
#include <string>
#include <string_view>

#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/core/queue_layout.h"

namespace mta::queue {

// Everything that can go wrong, in the order of qmail-queue(8)'s table.
enum class Failure {
  address_too_long,  // 11: an envelope address of 1003 bytes or more
  address_has_crlf,  // 14: CR or LF in an envelope address (our extension)
  out_of_memory,     // 51
  timeout,           // 52: the 24-hour alarm
  write,             // 53: writing mess or intd, or fsync, failed (disk full)
  read,              // 54: reading fd 0 or fd 1 failed, or the envelope ended early
  home,              // 61: chdir QH
  queue_dir,         // 62: chdir QH/queue
  pid,               // 63: queue/pid
  mess,              // 64: queue/mess
  intd,              // 65: queue/intd
  todo,              // 66: queue/todo
  internal_bug,      // 81: a crash signal caught
  envelope_format,   // 91: an envelope record that is not F or T
};

// The exit status for a failure. Async-signal-safe (a pure table).
constexpr int exit_code(Failure f) {
  switch (f) {
    case Failure::address_too_long: return 11;
    case Failure::address_has_crlf: return 14;
    case Failure::out_of_memory: return 51;
    case Failure::timeout: return 52;
    case Failure::write: return 53;
    case Failure::read: return 54;
    case Failure::home: return 61;
    case Failure::queue_dir: return 62;
    case Failure::pid: return 63;
    case Failure::mess: return 64;
    case Failure::intd: return 65;
    case Failure::todo: return 66;
    case Failure::internal_bug: return 81;
    case Failure::envelope_format: return 91;
  }
  return 81;  // not reached: every enumerator is listed above
}

class Error : public std::runtime_error {
 public:
  Error(Failure failure, const std::string& what) : std::runtime_error(what), failure_(failure) {}
  Failure failure() const { return failure_; }

 private:
  Failure failure_;
};

// The accounts whose uids the Received line names (reference 0.5). Absent
// in a sandbox instance and on hosts without them.
struct Accounts {
  std::optional<uid_t> alias, qmaild, qmails;
};
// Looks the three accounts up with getpwnam(3).
Accounts lookup_accounts();

// Who is queueing: the caller's real uid, our pid, and the start time.
struct Identity {
  uid_t uid = 0;
  pid_t pid = 0;
  std::time_t started = 0;
  Accounts accounts;
};
// The identity of this process: getuid(), getpid(), time(); the accounts are
// looked up unless the instance is a sandbox.
Identity this_process(const Home& home);

// "Received: (qmail <pid> invoked <how>); <date822>\n" with <how> one of
// "by alias", "from network", "for bounce" or "by uid <n>".
std::string received_line(const Identity& who);

// "u<uid>\0p<pid>\0": the head of the intd/todo file.
std::string envelope_head(const Identity& who);

// Copies one envelope from `in` to `out` as qmail-queue stores it: the F
// and T records, without the final extra NUL. Throws Error (read,
// envelope_format, address_too_long, address_has_crlf); output is only
// buffered, the caller flushes.
void copy_envelope(io::Reader& in, io::Writer& out);

// chdir QH (Failure::home) and then its queue (Failure::queue_dir).
void enter_queue(const Home& home);

// Queues the message on message_fd (read to EOF) with the envelope on
// envelope_fd into the queue at layout.root (relative paths work after
// enter_queue) and returns its id. Pulls the trigger after the commit.
std::uint64_t enqueue(const QueueLayout& layout, int message_fd, int envelope_fd,
                      const Identity& who);

// The persistent mode (qmail-queue --serve, see QueueServer in
// mta/core/queue_client.h): it greets with one byte ('+'), then each
// request on `socket` carries the read ends of one message's two pipes,
// which enqueue() reads exactly as it reads fd 0 and fd 1 when started per
// message; the answer is one byte, the exit code the per-message run would
// have had. `deadline(true)` is called before
// each message and `deadline(false)` after it (qmail-queue arms and clears
// its 24-hour alarm there). Returns 0 at end of input, or the exit code to
// end with when the process must not go on: out of memory, or a malformed
// request (81: only our own client speaks this protocol). who.started is
// set afresh for every message.
int serve(const QueueLayout& layout, int socket, Identity who,
          const std::function<void(bool)>& deadline);

}  // namespace mta::queue
