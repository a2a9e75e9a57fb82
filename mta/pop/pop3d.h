// mta/pop/pop3d.h — qmail-pop3d: one POP3 session on a Maildir.
//
// qmail-pop3d runs after authentication (checkpassword has set the user's
// ids, HOME, and the working directory), with the client on fd 0 and 1:
//   qmail-popup HOST checkpassword qmail-pop3d Maildir
// It changes to the Maildir named by its argument, removes tmp/ leftovers
// older than 36 hours, lists new/ and cur/ (oldest first, as qmail's scan
// did), says "+OK " and serves the TRANSACTION state of RFC 1939: STAT LIST
// UIDL RETR TOP DELE RSET NOOP LAST QUIT, and CAPA (RFC 2449).
//
// Message numbers are fixed for the session. UIDL is the file name up to
// its ':' — stable when the file moves from new/ to cur/. LAST is the
// highest message number retrieved or deleted (RFC 1460's command, kept by
// qmail for old clients).
//
// Crash safety: DELE only marks. Files are touched at QUIT alone: marked
// messages are unlinked, every other message still in new/ is renamed to
// cur/NAME:2, (seen), and both directories are fsynced before "+OK". A
// session that ends any other way — EOF, a dropped connection, a timeout, a
// crash — leaves the Maildir exactly as it was.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/netio.h"

namespace mta::pop {

namespace fs = std::filesystem;

// RETR and TOP output: LF becomes CRLF (a CRLF stays one), a line starting
// with '.' gets another '.', a partial last line is completed, and the
// terminating ".\r\n" follows. With a body line limit (TOP n) the output
// stops after the header, the blank line and n body lines.
class Blaster {
 public:
  explicit Blaster(std::optional<unsigned long> body_lines = std::nullopt) : remaining_(body_lines) {}
  // Appends chunk, encoded, to out. Returns false once the limit is reached:
  // the rest of the message is not needed.
  bool feed(std::string_view chunk, std::string& out);
  void finish(std::string& out);

 private:
  void end_line(std::string& out);
  std::optional<unsigned long> remaining_;
  bool done_ = false;
  bool in_headers_ = true;
  bool line_start_ = true;
  bool last_cr_ = false;
  std::size_t line_len_ = 0;  // bytes of the current line, '\r' included
};

struct Message {
  std::string path;  // "new/NAME" or "cur/NAME", relative to the Maildir
  std::string uid;   // NAME up to ':'
  off_t size = 0;
  bool deleted = false;
};

// The messages of the Maildir in the working directory. TempError if new/
// or cur/ cannot be read.
std::vector<Message> scan_maildir(const fs::path& dir);

// The session: reads commands from io until QUIT or end of input, answers
// them. Returns the exit status (0). Files under dir are touched only by QUIT.
int serve_maildir(net::Stream& io, const fs::path& dir, std::vector<Message> messages);

// qmail-pop3d's main after --help/--version.
int pop3d_main(int argc, char** argv);

// The per-read timeout: $POP3TIMEOUT seconds if set to a positive number,
// else qmail's 1200.
std::chrono::milliseconds session_timeout();

}  // namespace mta::pop
