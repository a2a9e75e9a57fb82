// mta/send/spawn.h — the delivery spawners qmail-lspawn and qmail-rspawn.
//
// Both speak the spawn protocol with qmail-send (reference 4.3, 5.1): on
// start one byte, the slot count; then commands
//   <slot byte><message id>\0<sender>\0<recipient>\0
// on fd 0, each answered on fd 1 with a report <slot byte><K|Z|D><text>\0
// when its delivery child is done. The skeleton here validates a command
// (with qmail's exact error texts), opens the message, forks a child with
// fd 0 = message and fd 1, 2 = a pipe, collects the child's output and asks
// the Driver to turn wait status + output into the report. Single-threaded,
// one poll loop; children finish in any order; at EOF on fd 0 it waits for
// the children still running and returns 0.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mta::spawn {

inline constexpr int default_slots = 120;        // qmail's conf-spawn
inline constexpr std::size_t output_limit = 3000;  // bytes of child output kept

struct Command {
  unsigned char slot = 0;
  std::string message;  // relative to queue/mess, e.g. "20/457"
  std::string sender;
  std::string recipient;
};

// Splits the command stream; fed whatever read() returned.
class CommandParser {
 public:
  void feed(std::string_view bytes);
  std::optional<Command> next();

 private:
  std::string buf_;
};

// The report for a command that cannot run, or nullopt when it is valid:
// slot range/in use (Z ... #4.3.5), message id (D ... #5.3.5), recipient
// without '@' (D ... #5.1.3). Texts end in "\n", as qmail's.
std::optional<std::string> validate(const Command& c, int slots, const std::vector<bool>& in_use);

// Child output as qmail keeps it: at most output_limit bytes in all; when
// more arrives the kept text ends "\nError report too long, sorry.\n".
class Output {
 public:
  void append(std::string_view bytes);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  bool full_ = false;
};

// The report text (status letter + text, no slot, no NUL) of qmail-lspawn
// for a qmail-local child's wait status and output (reference 5.2).
std::string lspawn_report(int wait_status, std::string_view output);
// The same for qmail-rspawn and qmail-remote's NUL-separated reports (5.3).
std::string rspawn_report(int wait_status, std::string_view output);

class Driver {
 public:
  virtual ~Driver() = default;
  // Runs in the forked child (fd 0 = message, fd 1 and 2 = the pipe); never returns.
  [[noreturn]] virtual void child(const Command& c) = 0;
  virtual std::string report(int wait_status, std::string_view output) = 0;
};

// The spawner loop on fds 0 and 1; the cwd must be queue/mess. Message files
// must be regular files owned by message_owner. Returns the exit code.
int run(Driver& driver, uid_t message_owner, int slots = default_slots);

// The recipient's local part and domain, split at the last '@'.
std::pair<std::string_view, std::string_view> split_recipient(std::string_view recipient);

}  // namespace mta::spawn
