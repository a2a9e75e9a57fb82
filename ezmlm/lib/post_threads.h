// ezmlm/lib/post_threads.h — the web indexes ezmlm-archive builds from the
// subject index (reference ezmlm.md 1.2; read by ezmlm-cgi).
//
// Input: archive/<N/100>/index, two lines per message (post_archive.h):
//   "N: SUBJHASH subject\n\tDATE;AUTHHASH author\n"
// Output, one line per record, every hash 20 letters 'a'..'p':
//   archive/threads/YYYYMM
//     "LAST:SUBJHASH [COUNT] subject\n" — one line per thread with a message
//     in that month (or messages both before and after it); LAST is the
//     thread's last message processed, COUNT its messages (plus the count
//     of the line it replaces). Lines of threads not touched are kept, in
//     their order; touched threads follow in order of first message.
//   archive/subjects/HH/REST (HH = first two letters of the hash)
//     "SUBJHASH subject\n", then "N:YYYYMM:AUTHHASH author\n" per message
//   archive/authors/HH/REST
//     "AUTHHASH author\n", then "N:YYYYMM:SUBJHASH subject\n" per message
//   archnum   "N\n": the last message processed
// A run covers messages FROM..TO: lines of existing files for messages at
// or above FROM are dropped and made again, lines below are kept, so a
// re-run is idempotent and an incremental run only appends.
//
// The file builders are pure (old text in, new text out) so they are tested
// without a list; run_archive() does the locking and the file system.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ezmlm {
class ListDir;
}

namespace ezmlm::post {

// One message as the subject index describes it. author/authhash are empty
// when the index line has no author part.
struct IndexRecord {
  unsigned long number = 0;
  std::string subjhash, subject;
  std::string date;
  std::string authhash, author;
  bool operator==(const IndexRecord&) const = default;
};

// True for the 20-letter a..p hashes makehash() gives; anything else is
// refused before it becomes part of a file name.
bool valid_hash(std::string_view s);

// The entries of one index file. Malformed entries are skipped and counted
// in `bad` (a damaged index must not stop the rest of the archive).
std::vector<IndexRecord> parse_index(std::string_view text, unsigned& bad);

// YYYYMM of an RFC 822 date ("[Day,] DD Mon YYYY ..."), 0 if unreadable.
unsigned yyyymm_of(std::string_view date);

struct ThreadLine {
  unsigned long last = 0;
  std::string subjhash, subject;
  unsigned long count = 0;
};
// A month file: `old` (may be empty) with lines for messages >= from
// dropped, lines for the threads in `fresh` replaced by them (their counts
// carried over). Malformed old lines are dropped and counted in `bad`.
std::string thread_file(std::string_view old, unsigned long from, std::vector<ThreadLine> fresh, unsigned& bad);

// A subject or author file: the first line of `old` (or `first_line` when
// old is empty), old entries below `from`, then `entries` (each a whole
// "N:YYYYMM:..." line). A first line that is not "HASH text" counts as bad.
std::string key_file(std::string_view old, std::string_view first_line, unsigned long from,
                     std::string_view entries, unsigned& bad);

struct ArchiveOptions {
  bool create = false;                 // -c: from message 1
  unsigned long from = 0;              // -f: rounded down to its hundred; 0 = archnum + 1
  unsigned long to = 0;                // -t: 0 = num
  bool sync_always = false;            // -s
};

// What run_archive did: messages FROM..TO; `bad` counts damaged records met.
struct ArchiveResult {
  bool empty = false;  // no num (or 0): nothing done
  unsigned long from = 0, to = 0;
  unsigned bad = 0;
};

// The whole ezmlm-archive run: DIR/lock to read num, archive/lock while
// writing. Throws TempError for file system trouble.
ArchiveResult run_archive(const ListDir& dir, const ArchiveOptions& options);

}  // namespace ezmlm::post
