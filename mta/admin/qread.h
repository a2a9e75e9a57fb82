// mta/admin/qread.h — reading the queue for people (qmail-qread, qmail-qstat).
//
// qmail-qread prints one paragraph per message, sorted by message number:
//   "26 Sep 1995 04:46:54 GMT  #457  1234  <bill@irs.gov> " [" bouncing"]
//   "\tlocal\tjoe@heaven.af.mil"        (a recipient still to do)
//   "  done\tremote\tfred@x.org"        (a recipient marked D)
// as qmail's qmail-qread does for preprocessed messages (info/local/remote,
// reference mta.md section 15). Unlike qmail's, it also lists messages that
// are queued but not yet preprocessed (todo/<id>): their recipients are not
// yet classified, so each is printed as "\ttodo\t<addr>". Non-printable
// bytes become '_'. The date is the message's birth (the mtime of info, or
// of todo before preprocessing), in UTC.
//
// A message that cannot be read is skipped with a warning ("trouble with
// #id: reason") and the others are still listed; a message that disappears
// while being read has simply left the queue and is skipped silently.
//
// Callers: qmail-qread and qmail-qstat (the programs); the unit tests, on
// queue trees in temporary directories. Queue files are trusted input (only
// qmail-queue and qmail-send write them) but are still checked, so a
// damaged file is reported, never misread.
#pragma once

#include <cstdint>
#include <ctime>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/io.h"
#include "mta/core/queue_layout.h"

namespace mta::admin::qread {

enum class Channel { local, remote, todo };

struct Recipient {
  Channel channel = Channel::todo;
  bool done = false;
  std::string address;
  bool operator==(const Recipient&) const = default;
};

struct Message {
  std::uint64_t id = 0;
  std::time_t birth = 0;
  std::uint64_t size = 0;  // of the mess file
  std::string sender;
  bool bouncing = false;
  std::vector<Recipient> recipients;
};

// A queue file that does not have the format qmail-queue/qmail-send write.
class BadQueueFile : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// info/<id>: exactly "F<sender>\0".
std::string parse_info(std::string_view data);
// local/<id>, remote/<id>: "T<addr>\0" (to do) or "D<addr>\0" (done) records.
std::vector<Recipient> parse_recipients(std::string_view data, Channel channel);
// todo/<id>: "u<uid>\0p<pid>\0F<sender>\0T<rcpt>\0..."; records of other
// kinds are skipped, as qmail-send skips them.
struct Todo {
  std::string sender;
  std::vector<std::string> recipients;
};
Todo parse_todo(std::string_view data);

// The paragraph of one message, newline-terminated lines.
std::string format(const Message& m);

// Reads message id from the queue (todo first, then info/local/remote).
// Returns false if the message is not (or no longer) in the queue; throws
// BadQueueFile or TempError for trouble with it.
bool read_message(const QueueLayout& q, std::uint64_t id, Message& out);

// Every message number in todo/ and info/*/, sorted, without duplicates.
std::vector<std::uint64_t> message_ids(const QueueLayout& q);

// qmail-qread: writes every message to out; each warning (without the
// program name) is appended to warnings.
void list(const QueueLayout& q, io::Writer& out, std::vector<std::string>& warnings);

// qmail-qstat: files under mess/ and in todo/.
struct Counts {
  std::uint64_t messages = 0;
  std::uint64_t unprocessed = 0;
};
Counts count(const QueueLayout& q);
std::string format(const Counts& c);

}  // namespace mta::admin::qread
