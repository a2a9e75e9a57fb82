// mta/send/retry.h — qmail-send's retry schedule (reference mta.md 4.4).
//
// When a pass over a message's channel file opens, the next attempt is
// computed from the message's birth (mtime of info/<id>):
//   n = floor(sqrt(max(0, now - birth))) + chanskip;  next = birth + n*n
// with chanskip 10 for local and 20 for remote, so attempts fall on the
// squares (10k)^2 and (20k)^2 seconds of age. A message older than
// queuelifetime at pass open is "dying": its next temporary failure bounces.
#pragma once

#include <cstdint>
#include <ctime>

namespace mta::send {

inline constexpr unsigned chanskip_local = 10;
inline constexpr unsigned chanskip_remote = 20;

// isqrt - floor(sqrt(x)), exact for every 64-bit x.
std::uint64_t isqrt(std::uint64_t x);

// next_retry - the time of the next attempt, computed at pass open (now).
std::time_t next_retry(std::time_t birth, std::time_t now, unsigned chanskip);

// is_dying - true once the message has outlived queuelifetime.
inline bool is_dying(std::time_t birth, std::time_t now, unsigned long lifetime) {
  return now > birth + static_cast<std::time_t>(lifetime);
}

}  // namespace mta::send
