// mta/core/mbox.h — appending a message to an mbox file.
//
// deliver() appends one message the way qmail-local does (reference 7.8): open
// with O_WRONLY|O_APPEND|O_CREAT|O_NONBLOCK mode 0600, an exclusive flock
// waited for at most lock_timeout (30 s), remember the end, write the prepend
// (qmail-local: UFLINE RPLINE DTLINE), then the message with mboxrd quoting
// (a line that after any number of '>' starts with "From " gets one more
// '>'), a newline after a partial last line, one empty line, fsync, close.
// On a read or write error, a locked file is truncated back to its old end.
// Callers: qmail-local (./Mailbox lines), maildir2mbox, filters.
//
// Errors, always TempError with qmail-local's texts: "Unable to open P: err"
// (4.2.1), "File has been locked for 30 seconds straight." (4.3.0),
// "Unable to read message: err" (4.3.0), "Unable to write P: err" (4.3.0).
// A lock error other than the timeout means "proceed unlocked", as in qmail.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "mta/core/io.h"

namespace mta::mbox {
namespace fs = std::filesystem;

struct Options {
  std::chrono::milliseconds lock_timeout{30000};
};

// True if line (without its '\n') needs one more '>' under mboxrd rules.
bool needs_quote(std::string_view line);

// Streams message to out with mboxrd quoting and the final newline rule
// (no trailing blank line: deliver() adds it). Throws TempError on read errors.
void copy_quoted(io::Reader& message, io::Writer& out);

// Appends prepend + quoted message + "\n" to path.
void deliver(const fs::path& path, int message_fd, std::string_view prepend,
             const Options& options = {});
void deliver(const fs::path& path, io::Reader& message, std::string_view prepend,
             const Options& options = {});

}  // namespace mta::mbox
