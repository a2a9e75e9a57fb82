// mta/core/sodium.h — libsodium, initialized once, when first needed.
//
// sodium_init probes the CPU, and a CPUID instruction costs about 9 µs
// under this kind of hypervisor: a program that never signs with Ed25519
// or MACs a one-click token must not pay for it at start-up. Each user of
// libsodium (mta/dkim's Ed25519, mta/render's HMAC-SHA256) calls
// sodium_ready() first. Header-only: mta-core itself does not link
// libsodium, the libraries that include this (mta-dkim, mta-render) do, and
// neither needs the other for it.
#pragma once

#include <sodium.h>

#include <mutex>

#include "mta/core/exitcodes.h"

namespace mta::sodium {

inline void sodium_ready() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = ::sodium_init() >= 0; });
  if (!ok) throw TempError("libsodium cannot be initialized", "4.3.0");
}

}  // namespace mta::sodium
