// autorespond/state.h — the rate-limit records in DIR, autorespond 2.0's format.
//
// autorespond 2.0 keeps one file per event in DIR, named "A<pid>.<unixtime>"
// and holding the envelope sender (no newline); it prunes files older than
// TIME on later runs and ignores every other name. We read and write the very
// same files, so a DIR keeps its history across the switch (both ways).
// Differences, each deliberate:
//   - a record is written per reply sent, not per message received (2.0
//     counted messages, so a sender who kept writing was never answered
//     again: the window slid); old records count as replies, which errs on
//     the side of fewer replies for one window after the switch;
//   - records are compared by normalize_sender, so BATV/SRS/VERP tags and
//     the case of the domain do not make a new sender;
//   - a record is created with O_EXCL, written, fsync'ed, and the directory
//     fsync'ed before the reply counts as sent; a name already taken gets a
//     ".N" suffix (2.0 reads the time with strtoul, which stops there);
//   - the directory is locked (flock on DIR itself, no extra file) while a
//     delivery counts and records, so two deliveries at once cannot both
//     see room for one more reply.
// A record file over max_record_bytes or with a NUL is ignored (and pruned
// when it expires), never trusted.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "mta/core/io.h"

namespace autorespond {

inline constexpr std::size_t max_record_bytes = 4096;

struct StateName {
  enum class Kind { record, temp };  // A<pid>.<time>[.N], tmp<pid>.<time>
  Kind kind;
  std::time_t time;
};
// The kind and time of a file name in DIR, or nullopt for names that are not ours.
std::optional<StateName> parse_state_name(std::string_view name);
// The sender in a record file's contents, or nullopt if it is not one.
std::optional<std::string> parse_state_record(std::string_view contents);

class StateStore {
 public:
  // Opens and locks DIR; TempError if it is missing or unreadable (2.0: 111).
  explicit StateStore(const std::filesystem::path& dir);
  // Prunes records older than now - window (and leftover tmp files of 2.0
  // older than a day) and counts the remaining records for sender.
  unsigned count(std::string_view sender, std::time_t now, std::time_t window);
  // Durably records one reply to sender at now. Throws TempError.
  void record(std::string_view sender, std::time_t now);

 private:
  std::filesystem::path dir_;
  mta::io::Fd fd_;
  std::optional<mta::io::FileLock> lock_;
};

}  // namespace autorespond
