// mta/send/retry.cpp — retry arithmetic (see retry.h).
#include "mta/send/retry.h"

namespace mta::send {

std::uint64_t isqrt(std::uint64_t x) {
  // Bitwise square root: no floating point, so no rounding at large ages.
  std::uint64_t root = 0;
  std::uint64_t bit = std::uint64_t{1} << 62;
  while (bit > x) bit >>= 2;
  while (bit) {
    if (x >= root + bit) {
      x -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

std::time_t next_retry(std::time_t birth, std::time_t now, unsigned chanskip) {
  std::uint64_t age = now > birth ? static_cast<std::uint64_t>(now - birth) : 0;
  std::uint64_t n = isqrt(age) + chanskip;
  return birth + static_cast<std::time_t>(n * n);
}

}  // namespace mta::send
