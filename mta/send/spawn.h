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
//
// Batching (qmail-rspawn): valid commands first wait in arrival order. Once
// fd 0 has nothing more to read right now, the loop starts children while
// fewer than Driver::child_limit() run; each child takes the oldest waiting
// command plus every later one of the same batch (same message, sender and
// recipient domain), at most Driver::batch_limit(). Nothing waits for a
// timer: a lone command starts at once. Commands that arrive while the
// children are all busy pile up and so leave in larger batches, which is
// what makes a mailing list's fan-out cheap. A child is done when its pipe
// is at EOF and it has exited (waited for through a pidfd, so one child
// that closes its output early never stalls the others).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mta::spawn {

inline constexpr int default_slots = 120;        // qmail's conf-spawn
inline constexpr std::size_t output_limit = 3000;  // bytes of child output kept
inline constexpr int max_slots = 255;            // the slot count is one byte
// Recipients per qmail-remote run: servers commonly refuse more RCPTs than
// 100 in one transaction (RFC 5321 4.5.3.1.8 asks them to take at least 100).
inline constexpr std::size_t remote_batch_limit = 100;

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
// more arrives the kept text ends "\nError report too long, sorry.\n". A
// batch's child may say limit bytes (output_limit per recipient).
class Output {
 public:
  explicit Output(std::size_t limit = output_limit) : limit_(limit) {}
  void append(std::string_view bytes);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::size_t limit_;
  bool full_ = false;
};

// The report text (status letter + text, no slot, no NUL) of qmail-lspawn
// for a qmail-local child's wait status and output (reference 5.2).
std::string lspawn_report(int wait_status, std::string_view output);
// The same for qmail-rspawn and qmail-remote's NUL-separated reports (5.3).
std::string rspawn_report(int wait_status, std::string_view output);

// rspawn_reports - the reports of a qmail-remote run for n recipients (in
// argv order). qmail-remote says one r/h/s report per recipient it got to
// and then one K/Z/D report for the message (reference 9.5). Recipient i
// gets what a run for it alone would have said: its own report followed by
// the message's, through rspawn_report; a refused (h/s) recipient gets its
// own report alone when another recipient was accepted (the message report
// is then about those); a recipient without a report of its own (the run
// stopped early) gets the message's alone. An accepted recipient's report
// with text ("r<text>", from a transaction of its own) gets "K<text>", not
// the message's report, which is about the last such transaction. A crash or an exit code other
// than 0 concerns every recipient alike.
std::vector<std::string> rspawn_reports(int wait_status, std::string_view output, std::size_t n);

// batch_sender - what a command's batch is keyed on: the VERP template
// ("P-@H-@[]", send/bounce.h verp_template) when the sender is its expansion
// for this recipient, else the sender itself.
std::string batch_sender(const Command& c);

// same_batch - may b ride in the same qmail-remote run as a? Same message,
// same batch_sender (so one post's VERP deliveries share a run, each with
// its own MAIL FROM, while other senders stay apart), same domain (case does
// not matter to DNS or smtproutes).
// With verp false, only equal senders share a batch (for a QMAILREMOTE
// program that may not expand templates).
bool same_batch(const Command& a, const Command& b, bool verp = true);

// take_batch - remove and return the oldest waiting command and every later
// one of its batch, at most limit (>= 1), keeping arrival order.
std::vector<Command> take_batch(std::deque<Command>& waiting, std::size_t limit, bool verp = true);

class Driver {
 public:
  virtual ~Driver() = default;
  // Runs in the forked child (fd 0 = message, fd 1 and 2 = the pipe); never returns.
  [[noreturn]] virtual void child(const Command& c) = 0;
  virtual std::string report(int wait_status, std::string_view output) = 0;

  // Batching; the defaults run one child per command with no limit on children.
  virtual std::size_t batch_limit() { return 1; }
  virtual std::size_t child_limit() { return static_cast<std::size_t>(-1); }
  // May VERP deliveries batch under their template (same_batch)?
  virtual bool verp_batches() { return true; }
  [[noreturn]] virtual void batch_child(const std::vector<Command>& batch);
  // One report per command of the batch, in its order.
  virtual std::vector<std::string> batch_reports(int wait_status, std::string_view output, std::size_t n) {
    return std::vector<std::string>(n, report(wait_status, output));
  }
};

// The spawner loop on fds 0 and 1; the cwd must be queue/mess. Message files
// must be regular files owned by message_owner. Returns the exit code.
int run(Driver& driver, uid_t message_owner, int slots = default_slots);

// The recipient's local part and domain, split at the last '@'.
std::pair<std::string_view, std::string_view> split_recipient(std::string_view recipient);

}  // namespace mta::spawn
