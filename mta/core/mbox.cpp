// Spec notes: qmail-local.c mailfile (reference 7.8), with mboxrd quoting as
// described at https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml:
// quoting every ">*From " line makes the transformation reversible.
// Deviation: the 30 s lock wait polls a non-blocking flock instead of arming
// alarm(2), so no signal handler is shared with the caller.
#include "mta/core/mbox.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "mta/core/exitcodes.h"

namespace mta::mbox {

namespace {

// Waits for an exclusive flock. Returns false if locking is not possible
// here (qmail proceeds unlocked then); throws after the timeout.
bool lock(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return false;
    if (std::chrono::steady_clock::now() >= deadline)
      throw TempError("File has been locked for 30 seconds straight.", "4.3.0");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Thrown by copy_quoted for a read error, so deliver() can tell it from a write error.
struct ReadFailure : TempError {
  using TempError::TempError;
};

}  // namespace

bool needs_quote(std::string_view line) {
  std::size_t i = line.find_first_not_of('>');
  if (i == std::string_view::npos) return false;
  return line.substr(i).starts_with("From ");
}

void copy_quoted(io::Reader& message, io::Writer& out) {
  std::string line;
  for (;;) {
    io::Reader::Got got;
    try {
      got = message.getline(line);
    } catch (const MailError& e) {
      throw ReadFailure(cat("Unable to read message: ", e.what(), "."), "4.3.0");
    }
    if (got == io::Reader::Got::nothing) break;
    if (needs_quote(line)) out.put('>');
    out.write(line);
    out.put('\n');  // also after a partial last line
    if (got == io::Reader::Got::partial) break;
  }
}

void deliver(const fs::path& path, int message_fd, std::string_view prepend, const Options& options) {
  io::Reader in(message_fd);
  deliver(path, in, prepend, options);
}

void deliver(const fs::path& path, io::Reader& message, std::string_view prepend, const Options& options) {
  io::Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!fd) throw TempError(cat("Unable to open ", path.native(), ": ", std::strerror(errno), "."), "4.2.1");
  const bool locked = lock(fd.get(), options.lock_timeout);

  // Remember the end, so that a failure leaves the mbox as it was.
  const off_t end = ::lseek(fd.get(), 0, SEEK_END);
  auto write_error = [&](int err) {
    return TempError(cat("Unable to write ", path.native(), ": ", std::strerror(err), "."), "4.3.0");
  };
  try {
    io::Writer out(fd.get(), 65536);
    out.write(prepend);
    copy_quoted(message, out);
    out.put('\n');
    try {
      out.flush();
    } catch (const MailError& e) {
      // Writer says "unable to write: REASON"; keep the reason, say which file.
      std::string_view what = e.what();
      std::size_t colon = what.find(": ");
      throw TempError(cat("Unable to write ", path.native(), ": ",
                          colon == std::string_view::npos ? what : what.substr(colon + 2), "."),
                      "4.3.0");
    }
    if (::fsync(fd.get()) == -1) throw write_error(errno);
    if (::close(fd.release()) == -1 && errno != EINTR) throw write_error(errno);
  } catch (const MailError&) {
    if (locked && end != -1 && fd) {
      if (::ftruncate(fd.get(), end) == -1) {
        // Nothing more to do: the message stays partly written; the error below still defers it.
      }
    }
    throw;
  }
}

}  // namespace mta::mbox
