// ezmlm/lib/moderate.h — the moderation and post-confirmation queue
// (reference ezmlm.md 6.1, 3.2: ezmlm-store, -moderate, -confirm, -clean,
// -accept).
//
// A post waiting for a moderator lives in DIR/mod/pending/T.PID, one waiting
// for its poster's confirmation in DIR/mod/unconfirmed/T.PID (T = unix time
// of ezmlm-store, PID its process id). The file is
//   Return-Path: <sender>\n
//   Delivered-To: moderator for local@host\n   ("confirm to" when confirming)
//   the message as it arrived
// written under DIR/mod/lock (DIR/mod/confirmlock is ezmlm-confirm's) to a
// temporary name, fsync'ed and renamed, so a crash leaves either nothing or
// a whole file. Its owner-execute bit says "the request went out": only such
// a file is returned to its poster when it times out (ezmlm-clean).
// A decision leaves an empty stub DIR/mod/accepted/T.PID or
// DIR/mod/rejected/T.PID, so that a second moderator's answer gets a precise
// reply and a repeated one changes nothing; ezmlm-clean expires stubs by the
// time in their names like the posts themselves.
//
// The program run on an accepted or confirmed post (ezmlm-send, or the
// command given after DIR) gets the queue file on fd 0 and SENDER set to the
// stored Return-Path. Several words are an argv vector (no shell); a single
// word goes through /bin/sh -c, as ezmlm-idx does, so existing .qmail lines
// such as `ezmlm-moderate DIR '/usr/local/bin/ezmlm/ezmlm-send -r DIR'` keep
// working — that string comes from the list owner's own command file, never
// from mail.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/listdir.h"
#include "mta/core/io.h"

namespace ezmlm::moderate {

enum class Queue { pending, unconfirmed };

// "mod/pending" / "mod/unconfirmed" (relative to DIR).
std::string_view queue_dir(Queue queue);
// "mod/accepted" / "mod/rejected".
inline constexpr std::string_view accepted_dir = "mod/accepted";
inline constexpr std::string_view rejected_dir = "mod/rejected";

// A queue file name "T.PID": both parts decimal digits (T at most 20).
struct QueueName {
  std::time_t time = 0;
  std::string time_text;
  std::string pid;
  std::string text() const { return time_text + "." + pid; }
};
std::optional<QueueName> parse_queue_name(std::string_view name);

// "Return-Path: <sender>\n" with '\n' and NUL in the sender written as '_'
// (the line is for ezmlm-moderate, never for SMTP). No sender: "<>".
std::string return_path_line(std::string_view sender);
// The address inside the first '<' and the last '>' of a "Return-Path:"
// line (case-insensitive name), or "" when the line is not one.
std::string stored_sender(std::string_view line);
// The first line of a queue file.
std::string stored_sender_of(const fs::path& file);

// "Delivered-To: moderator for local@host\n" or "... confirm to ...".
std::string delivered_to_line(const ListDir& dir, Queue queue);

// An exclusive flock on DIR/<name> (created when missing), held while alive.
class DirLock {
 public:
  DirLock(const ListDir& dir, std::string_view name);

 private:
  mta::io::Fd fd_;
  std::optional<mta::io::FileLock> lock_;
};

// A new queue file: a unique T.PID is chosen (under the caller's lock), the
// content goes to a temporary file beside it; commit() fsyncs and renames
// it into place, abandon (or destruction without commit) removes it.
class QueueFile {
 public:
  QueueFile(const ListDir& dir, Queue queue, std::time_t now);
  ~QueueFile();
  QueueFile(const QueueFile&) = delete;
  QueueFile& operator=(const QueueFile&) = delete;

  const QueueName& name() const { return name_; }
  const fs::path& path() const { return path_; }
  mta::io::Writer& out() { return *writer_; }
  // Flush, fsync, rename to T.PID, fsync the directory.
  void commit();
  // After the request went out: set the owner-execute bit (mode 0700).
  void mark_sent();
  // Removes the file (before or after commit).
  void remove();

 private:
  fs::path path_, temp_;
  QueueName name_;
  mta::io::Fd fd_;
  std::unique_ptr<mta::io::Writer> writer_;
  bool committed_ = false;
};

// An empty stub DIR/<stub_dir>/<name>, written durably (fsync of file and
// directory): the order of the accept steps relies on it being on disk.
void write_stub(const ListDir& dir, std::string_view stub_dir, std::string_view name);
bool file_exists(const fs::path& path);
// unlink that ignores ENOENT and throws TempError for anything else.
void remove_file(const fs::path& path);

// Where a sibling program lives: $EZMLM_BIN/<name>, or, when that is not
// executable, the directory of this program (a clean qmail-start
// environment without EZMLM_BIN).
std::string sibling_program(const Env& env, std::string_view name);

// The command that takes an accepted post: none given -> sibling ezmlm-send
// with `send_options` ("-r" ...) and DIR; one word -> /bin/sh -c word;
// more -> that argv.
struct Command {
  std::vector<std::string> argv;
  bool use_path = false;
};
Command accept_command(const ListDir& dir, const std::vector<std::string>& given,
                       const std::vector<std::string>& send_options);

// Runs command with fd 0 reading `file` from its start and SENDER=sender.
// Returns normally when it exits 0 or 99; throws PermError when it exits
// 100, TempError otherwise (its own stderr explains).
void run_on_file(const Command& command, const fs::path& file, std::string_view sender);

// The modtime file in seconds: hours, default 120, clamped to 24..240.
std::time_t mod_timeout(const ListDir& dir);

}  // namespace ezmlm::moderate
