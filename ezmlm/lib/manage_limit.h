// ezmlm/lib/manage_limit.h — the subscription-bombing limit (issue 7).
//
// Anyone can ask a list to send a confirmation request to any address, so
// without a limit a list is a tool for flooding a stranger. At most
// `confirmlimit` (first line of DIR/confirmlimit; default 3; 0 = no limit)
// confirmation requests go to one target address per UTC day.
//
// The counts live in DIR/confirmcount, one line per target and day:
//   "<day> <tag> <count>\n"   day = unixtime / 86400,
//                             tag = cookie(key, day, lowercased address, 'L')
// so the file names no address and a tag cannot be guessed without the
// key. Each update rewrites the file (temp, fsync, rename: a crash leaves
// the old or the new counts, never a torn file) under the lock
// DIR/confirmcount.lock, keeping only today's lines, at most max_targets of
// them: beyond that a new target is refused (the file stays bounded, and
// an attacker who spreads over so many addresses in a day is stopped).
#pragma once

#include <cstddef>
#include <ctime>
#include <string_view>

#include "ezmlm/lib/listdir.h"

namespace ezmlm {

inline constexpr unsigned long default_confirm_limit = 3;
inline constexpr std::size_t confirm_limit_max_targets = 20000;

// The limit in force for dir.
unsigned long confirm_limit(const ListDir& dir);

// Counts one request to target if it is still within the limit (true), or
// changes nothing and returns false. TempError when the file cannot be
// written.
bool take_confirm_slot(const ListDir& dir, std::string_view key, std::string_view target, std::time_t now);

}  // namespace ezmlm
