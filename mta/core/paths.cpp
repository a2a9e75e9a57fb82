#include "mta/core/paths.h"

#include <unistd.h>

#include <cstdlib>

namespace mta {

bool Home::is_sandbox() const {
  std::error_code ec;
  return fs::exists(sandbox_marker(), ec);
}

bool running_setid() { return getuid() != geteuid() || getgid() != getegid(); }

fs::path default_qmail_home() { return LETTERSHOP_QMAILHOME; }

Home qmail_home() {
  if (!running_setid()) {
    const char* env = std::getenv("QMAILHOME");
    if (env && *env) return Home{env};
  }
  return Home{default_qmail_home()};
}

}  // namespace mta
