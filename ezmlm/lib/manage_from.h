// ezmlm/lib/manage_from.h — the From line of a subscriber waiting for a
// moderator (ezmlm.md 1.2, file DIR/from).
//
// When a subscription goes to the moderators (tc), the subscriber's From
// field is kept, so that the Log entry written when a moderator agrees
// names the subscriber and not the moderator. DIR/from holds lines
//   "<unixtime> <address>\0<from line>\n"
// as ezmlm-idx writes them; entries older than 1 000 000 s (the cookie's
// life) are dropped on every write, and the file never grows past
// from_file_max_bytes (the oldest entries go first). Writes are
// temp-fsync-rename under DIR/lock.
#pragma once

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>

#include "ezmlm/lib/listdir.h"

namespace ezmlm {

inline constexpr std::size_t from_file_max_bytes = 1 << 20;

void remember_from(const ListDir& dir, std::string_view address, std::string_view from, std::time_t now);
// The newest From line kept for address (compared without regard to case), or "".
std::string recall_from(const ListDir& dir, std::string_view address, std::time_t now);

}  // namespace ezmlm
