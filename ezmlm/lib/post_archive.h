// ezmlm/lib/post_archive.h — message numbers, the archive and its index
// (reference ezmlm.md 1.2 and 1.5).
//
//   DIR/num                 "N:S\n": last message number, cumulative body
//                           size in 256-byte units ((bytes+128)>>8 each)
//   DIR/archive/<N/100>/NN  message N; the owner-execute bit (mode 0744)
//                           marks it complete
//   DIR/archive/<N/100>/index  two lines per message (index_entry)
//
// Every file is replaced whole: written under a temporary name, fsynced,
// renamed (num via "numnew", index via "indexn", as ezmlm does), so a
// reader never sees half a file. Callers hold DIR/lock.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "mta/core/io.h"

namespace ezmlm::post {

namespace fs = std::filesystem;

struct Num {
  unsigned long number = 0;
  unsigned long size = 0;  // 256-byte units
  bool operator==(const Num&) const = default;
};

// DIR/num, or nullopt when absent. A line that is not "N" or "N:S" is a
// TempError (we will not guess a number and overwrite archived posts).
std::optional<Num> read_num(const fs::path& dir);
// Replaces DIR/num through DIR/numnew.
void write_num(const fs::path& dir, const Num& num);
// The body's contribution to S.
inline unsigned long size_units(unsigned long long bytes) { return static_cast<unsigned long>((bytes + 128) >> 8); }

// archive/<N/100> and archive/<N/100>/NN.
fs::path archive_subdir(const fs::path& dir, unsigned long number);
fs::path archive_file(const fs::path& dir, unsigned long number);

// Writes one archived message: open() a temporary file next to its final
// place, write, then commit() (mode 0744, fsync, rename, fsync of the
// directory); the destructor removes an uncommitted file. ezmlm-send splits
// the commit: sync() while qmail-queue runs, then commit(false) and one
// directory fsync shared with the index.
class ArchiveWriter {
 public:
  ArchiveWriter(const fs::path& dir, unsigned long number);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;
  mta::io::Writer& out() { return *writer_; }
  // Flushes, sets mode 0744 and fsyncs the temporary file (one fsync makes
  // both the text and the "complete" bit durable). Once.
  void sync();
  // sync() unless done, rename to the final name, and (sync_dir) fsync the
  // directory; without sync_dir the caller must fsync archive_subdir.
  void commit(bool sync_dir = true);

 private:
  fs::path final_, temp_;
  mta::io::Fd fd_;
  std::unique_ptr<mta::io::Writer> writer_;
  bool synced_ = false;
  bool committed_ = false;
};

// Replaces the entry of `number` in its index (or appends it), keeping the
// entries in number order; through indexn + rename.
void update_index(const fs::path& dir, unsigned long number, std::string_view entry);

// update_index in two steps: the constructor writes and fsyncs indexn (the
// old index with the entry of `number` replaced or added), publish() renames
// it over index. The caller fsyncs archive_subdir afterwards. The destructor
// removes an unpublished indexn.
class IndexUpdate {
 public:
  IndexUpdate(const fs::path& dir, unsigned long number, std::string_view entry);
  ~IndexUpdate();
  IndexUpdate(const IndexUpdate&) = delete;
  IndexUpdate& operator=(const IndexUpdate&) = delete;
  void publish();

 private:
  fs::path index_, temp_;
  bool published_ = false;
};

// Index entries of archived message text (its header is all that is read):
// subject stripped of `prefix`, date from the first Received (or Date with
// date_from_header), author from From.
std::string index_entry_for(unsigned long number, mta::io::Reader& message, std::string_view prefix,
                            bool date_from_header);

}  // namespace ezmlm::post
