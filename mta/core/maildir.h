// mta/core/maildir.h — delivering into, and reading, a Maildir.
//
// deliver() puts one message into a Maildir the way qmail-local does: a file
// created with O_EXCL in tmp/, the prepend (qmail-local: RPLINE + DTLINE)
// and the message written unchanged, fsync, close, link into new/ (rename
// where the file system has no hard links), unlink the tmp/ name, fsync new/.
// Guarantee: deliver returns only after the message is fsynced and named in
// new/; on any failure nothing is left in new/ and the tmp/ file is gone.
// Callers: qmail-local (./Maildir/ lines) and filters that deliver.
//
// Errors: always TempError, with qmail-local's texts: "Unable to chdir to
// maildir." (4.2.1) when dir/tmp cannot be used, "Unable to read message."
// (4.3.0) for a read error, "Temporary error on maildir delivery." (4.3.0)
// otherwise. A missing Maildir is temporary too, as in qmail.
//
// Unique names (cr.yp.to/proto/maildir.html, with Courier's and Dovecot's
// refinements, which every reader accepts): "<sec>.M<usec>P<pid>Q<n>R<rand>.<host>"
// — n counts deliveries of this process, rand is 64 random bits in hex, host
// is gethostname() with '/' written as \057 and ':' as \072. No sleeping and
// no retry loop is needed; an EEXIST is retried with a fresh random part.
//
// Readers (maildir(5)): messages are the files in new/ (unseen) and cur/
// (seen) whose names do not start with '.'; files in tmp/ not accessed for
// 36 hours are leftovers of a crashed writer and may be deleted.
#pragma once
#include <sys/types.h>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/io.h"

namespace mta::maildir {
namespace fs = std::filesystem;

// The parts of a unique name; tests pin them, deliver() fills the unset ones.
struct NameParts {
  std::time_t sec = 0;
  long usec = 0;
  pid_t pid = 0;
  std::uint64_t count = 0;
  std::uint64_t random = 0;
  std::string host;
};

// Formats "<sec>.M<usec>P<pid>Q<count>R<random>.<host>" (host escaped).
std::string format_name(const NameParts& parts);

// The parts for the next delivery of this process: clock, pid, counter,
// random bits, hostname (at most 64 bytes, as qmail).
NameParts next_name_parts();

// Delivers prepend + everything message_fd has from its current offset
// (qmail-local rewinds first). Returns the file name created in new/.
std::string deliver(const fs::path& dir, int message_fd, std::string_view prepend);
// The same from a Reader (filters, tests).
std::string deliver(const fs::path& dir, io::Reader& message, std::string_view prepend);

// maildirmake: creates dir, dir/tmp, dir/new, dir/cur (mode 0700). Throws TempError.
void make(const fs::path& dir);

struct Entry {
  fs::path path;         // dir/new/NAME or dir/cur/NAME
  std::string name;
  bool seen = false;     // true for cur/
  std::time_t mtime = 0;
};

// The messages in new/ and cur/, dot files skipped, ordered by mtime then name.
// Throws TempError if either folder cannot be read.
std::vector<Entry> list_messages(const fs::path& dir);

// Deletes files in dir/tmp not accessed for max_age seconds; returns how many.
inline constexpr std::time_t tmp_max_age = 36 * 3600;
std::size_t clean_tmp(const fs::path& dir, std::time_t now, std::time_t max_age = tmp_max_age);

}  // namespace mta::maildir
