// filters/quota.h — Maildir++ quotas (the maildirsize file), as Courier,
// Dovecot and vpopmail keep them, so that an IMAP server sharing the Maildir
// agrees with us on what is used.
//
// Format (reference 2b): line 1 is the quota, comma-separated "<n>S" (bytes)
// and/or "<n>C" (messages); every further line is "<bytes> <count>", a delta
// (negative after an expunge). The sum of the deltas is the usage. The file
// is recalculated — new/ and cur/ of the Maildir and of every ".Folder"
// except .Trash, sizes from ",S=" in the name or from stat — when it is
// missing (and a quota comes from elsewhere), when a line does not parse,
// overflows or sums to less than zero, or when it has grown to 5120 bytes.
// A rebuild writes a temp file and renames it; a delivery appends one line
// with O_APPEND (one write(2), so concurrent writers do not interleave).
//
// The decision: a message of n bytes is over quota when usage + n exceeds
// the byte limit or usage + 1 the message limit. Over quota is a temporary
// failure ("4.2.2", mailbox full: the sender's MTA retries, as providers do
// today) — vpopmail bounces instead (5.2.2). A warning message goes into the
// Maildir itself (bypassing the quota) when a delivery is refused or the
// Maildir is 90 % full, at most once a day (the mtime of <Maildir>/quotawarn).
//
// Callers: virtmaildelivery and vdelivermail (deliver()).
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace filters::quota {

namespace fs = std::filesystem;

inline constexpr std::size_t recalc_size = 5120;       // bytes of maildirsize
inline constexpr int warn_percent = 90;
inline constexpr std::time_t warn_interval = 24 * 3600;

struct Limits {
  std::optional<std::uint64_t> bytes, count;
  bool none() const { return !bytes && !count; }
  bool operator==(const Limits&) const = default;
};

// "100000S,500C", "100000S", "500C", a bare byte count "100000" (vpopmail's
// pw_shell), or "NOQUOTA"/"" (no limits). nullopt for anything else.
std::optional<Limits> parse_spec(std::string_view spec);
// Line 1 of maildirsize: "100000S,500C".
std::string format_spec(const Limits& limits);

struct Usage {
  std::int64_t bytes = 0, count = 0;
  bool operator==(const Usage&) const = default;
};

// A parsed maildirsize. ok is false when it must be recalculated (a bad,
// overflowing or negative line); limits are valid whenever line 1 parsed.
struct SizeFile {
  Limits limits;
  Usage usage;
  bool ok = true;
};
// nullopt when line 1 is not a quota spec (the file is useless).
std::optional<SizeFile> parse_maildirsize(std::string_view contents);

// True when one more message of msg_bytes does not fit.
bool over_quota(const Limits& limits, const Usage& usage, std::uint64_t msg_bytes);
// The larger of the byte and message percentages, 0 without limits.
int percent_used(const Limits& limits, const Usage& usage);

// Sums the messages of a Maildir++ (root, and .Folders except .Trash).
Usage scan(const fs::path& maildir);

// What a delivery needs to know: the limits in force and the usage, after
// recalculating the file when it is due. nullopt: no quota applies (no
// maildirsize and no fallback, or the limits are none).
struct State {
  Limits limits;
  Usage usage;
};
std::optional<State> load(const fs::path& maildir, const std::optional<Limits>& fallback);

// Appends "<bytes> <count>\n" to an existing maildirsize. Throws TempError.
void append(const fs::path& maildir, std::int64_t bytes, std::int64_t count);

// Delivers prepend + the rest of message_fd into maildir (created when
// missing) under the quota; returns the name in new/. Over quota: a warning
// (see above) for address, then TempError "Sorry, the mailbox of ADDRESS is
// over quota. (#4.2.2)". Everything else as mta::maildir::deliver.
std::string deliver(const fs::path& maildir, int message_fd, std::string_view prepend,
                    const std::optional<Limits>& fallback, std::string_view address, std::time_t now);

// The warning message itself (headers and body), for the tests.
std::string warning_text(std::string_view address, const State& state, bool refused, std::time_t now);

}  // namespace filters::quota
